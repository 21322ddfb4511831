-- An enum value used in the same file, and an index built without blocking writes: PostgreSQL
-- refuses CREATE INDEX CONCURRENTLY in a transaction block, and a new enum value cannot be used
-- before it commits. This file runs statement by statement.
ALTER TYPE app.order_status ADD VALUE 'refunded' AFTER 'shipped';

UPDATE app.orders SET status = 'refunded' WHERE note = 'never matches';

CREATE INDEX CONCURRENTLY orders_status_idx ON app.orders (status);

CREATE TABLE after_search_path_reset (id BIGSERIAL PRIMARY KEY);
