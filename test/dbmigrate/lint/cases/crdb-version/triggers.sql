-- CockroachDB 25.2's grammar accepts DO; 23.2's does not.
DO $$ BEGIN UPDATE posts SET updated_at = now() WHERE updated_at < created_at; END $$;
