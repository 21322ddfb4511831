-- dbmigrate:allow postgres-version every database of this project runs PostgreSQL 16 or later
UPDATE posts SET excerpt = NULL WHERE id IN (SELECT id FROM (SELECT id FROM posts WHERE excerpt = ''));
