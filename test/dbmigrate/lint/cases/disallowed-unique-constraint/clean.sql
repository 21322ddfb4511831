CREATE TABLE IF NOT EXISTS post_tags (
    id UUID NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
    tag TEXT NOT NULL,
    CONSTRAINT post_tags_tag_key UNIQUE (tag)
);
