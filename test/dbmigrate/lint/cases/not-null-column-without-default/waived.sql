-- dbmigrate:allow not-null-column-without-default posts is empty in every environment: the feature ships dark
ALTER TABLE posts ADD COLUMN views BIGINT NOT NULL;
