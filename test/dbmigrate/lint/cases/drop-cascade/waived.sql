-- dbmigrate:allow drop-cascade post_counts has no dependents (checked with pg_depend on every stage)
DROP VIEW IF EXISTS post_counts CASCADE;
