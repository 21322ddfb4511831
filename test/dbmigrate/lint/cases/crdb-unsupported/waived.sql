-- dbmigrate:allow crdb-unsupported PostgreSQL-only reporting schema
CREATE DOMAIN slug AS TEXT CHECK (VALUE ~ '^[a-z0-9-]+$');
