ALTER TABLE posts ADD CONSTRAINT posts_slug_key UNIQUE (customer_id, site_id, slug);
