ALTER TABLE posts ADD CONSTRAINT posts_site2_fkey FOREIGN KEY (customer_id, site_id) REFERENCES sites (customer_id, id);
