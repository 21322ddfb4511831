CREATE TABLE post_drafts (id UUID PRIMARY KEY DEFAULT gen_random_uuid(), body TEXT);
CREATE INDEX CONCURRENTLY post_drafts_body_idx ON post_drafts (body);
