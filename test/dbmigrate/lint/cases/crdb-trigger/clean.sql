UPDATE posts SET updated_at = now() WHERE updated_at < created_at;
