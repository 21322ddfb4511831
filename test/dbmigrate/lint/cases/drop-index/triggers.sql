DROP INDEX posts_author_updated_idx;
