-- dbmigrate:allow crdb-extension only on the PostgreSQL-only reporting replica, never applied to CockroachDB
CREATE EXTENSION IF NOT EXISTS pg_trgm;
