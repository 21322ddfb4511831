-- The same change as plain SQL: every supported version accepts it.
UPDATE posts SET updated_at = now() WHERE updated_at < created_at;
