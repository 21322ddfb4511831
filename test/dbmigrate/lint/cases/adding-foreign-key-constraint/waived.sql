-- dbmigrate:allow adding-foreign-key-constraint both tables are tiny; the lock lasts milliseconds
ALTER TABLE posts ADD CONSTRAINT posts_site2_fkey FOREIGN KEY (customer_id, site_id) REFERENCES sites (customer_id, id);
