-- dbmigrate:requires cockroachdb
CREATE INDEX posts_created_at_hash_idx ON posts (created_at) USING HASH;
CREATE INDEX ON posts USING HASH HASH (created_at);
