-- dbmigrate:requires cockroachdb
-- CockroachDB-only DDL: PostgreSQL's grammar never reads this file.
CREATE INDEX posts_created_at_hash_idx ON posts (created_at) USING HASH;
ALTER TABLE posts CONFIGURE ZONE USING num_replicas = 5, gc.ttlseconds = 600;
CREATE INDEX posts_status_storing_idx ON posts (customer_id, status) STORING (title);
CREATE TABLE post_counters (
    post_id UUID NOT NULL PRIMARY KEY,
    views INT8 NOT NULL DEFAULT 0,
    FAMILY hot (post_id, views)
);
ALTER TABLE post_counters SET LOCALITY REGIONAL BY TABLE;
ALTER TABLE post_counters ALTER PRIMARY KEY USING COLUMNS (post_id);
