-- dbmigrate:allow set-not-null 0006 filled every excerpt and posts_excerpt_not_null was validated
ALTER TABLE posts ALTER COLUMN excerpt SET NOT NULL;
