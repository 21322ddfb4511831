DROP VIEW IF EXISTS post_counts;
