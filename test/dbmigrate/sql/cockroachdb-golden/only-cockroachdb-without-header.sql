-- The same CockroachDB-only DDL without the header: PostgreSQL's grammar reads it and refuses it.
CREATE INDEX posts_created_at_hash_idx ON posts (created_at) USING HASH;
