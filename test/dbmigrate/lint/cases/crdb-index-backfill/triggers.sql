CREATE INDEX IF NOT EXISTS posts_status_idx ON posts (customer_id, status);
