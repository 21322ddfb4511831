CREATE TABLE IF NOT EXISTS post_tags (
    id UUID NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
    customer_id UUID NOT NULL,
    tag TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS post_tags_customer_tag_idx ON post_tags (customer_id, tag);
