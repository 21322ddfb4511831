-- dbmigrate:allow crdb-deferrable PostgreSQL-only table for the import tool
CREATE TABLE categories (
    id UUID NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
    parent_id UUID NULL REFERENCES categories (id) DEFERRABLE INITIALLY DEFERRED
);
