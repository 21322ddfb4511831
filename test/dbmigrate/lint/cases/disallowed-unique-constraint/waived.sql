-- dbmigrate:allow disallowed-unique-constraint posts is small; a short ACCESS EXCLUSIVE lock is acceptable off-peak
ALTER TABLE posts ADD CONSTRAINT posts_slug_key UNIQUE (customer_id, site_id, slug);
