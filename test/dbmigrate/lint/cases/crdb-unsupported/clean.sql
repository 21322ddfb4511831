ALTER TABLE posts ADD CONSTRAINT posts_excerpt_check CHECK (length(excerpt) <= 1000) NOT VALID;
