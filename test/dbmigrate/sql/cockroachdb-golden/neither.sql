-- The first statement neither grammar accepts; PostgreSQL's error stands alone on it.
ALTER TABLE posts ADD COLUMN ;
ALTER TABLE posts ALTER COLUMN body SET STORAGE PLAIN;
