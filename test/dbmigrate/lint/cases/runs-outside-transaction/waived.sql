CREATE TABLE post_drafts (id UUID PRIMARY KEY DEFAULT gen_random_uuid(), body TEXT);
-- dbmigrate:allow runs-outside-transaction the file is only this table and its index
CREATE INDEX CONCURRENTLY post_drafts_body_idx ON post_drafts (body);
