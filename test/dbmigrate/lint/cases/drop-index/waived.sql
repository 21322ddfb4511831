-- dbmigrate:allow drop-index replaced by posts_author_recent_idx in 0007 (docs/queries.md)
DROP INDEX posts_author_updated_idx;
