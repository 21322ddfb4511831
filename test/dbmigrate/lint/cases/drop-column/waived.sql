-- dbmigrate:allow drop-column nothing reads excerpt since release 41
ALTER TABLE posts DROP COLUMN excerpt;
