-- Both grammars accept every statement: no CockroachDB finding.
CREATE TABLE post_tags (
    id UUID NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
    customer_id UUID NOT NULL,
    tag TEXT NOT NULL CHECK (length(tag) BETWEEN 1 AND 50)
);
CREATE INDEX post_tags_customer_tag_idx ON post_tags (customer_id, tag);
COMMENT ON TABLE post_tags IS 'free-form tags, one row per tag';
