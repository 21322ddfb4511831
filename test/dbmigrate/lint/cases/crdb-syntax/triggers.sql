-- PostgreSQL accepts it; CockroachDB's parser does not (SET STORAGE).
ALTER TABLE posts ALTER COLUMN body SET STORAGE PLAIN;
