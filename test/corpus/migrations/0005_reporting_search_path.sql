-- A migration that sets search_path for its own statements (common in projects with one schema per
-- module). The next migration must not inherit it.
CREATE SCHEMA reporting;
SET search_path = reporting, app, public;

CREATE VIEW daily_orders AS
    SELECT date_trunc('day', created_at) AS day, status, count(*) AS orders, sum(total_cents) AS cents
      FROM orders GROUP BY 1, 2;

CREATE TABLE export_runs (
    id BIGSERIAL PRIMARY KEY,
    started_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    rows_written BIGINT NOT NULL DEFAULT 0
);

COMMENT ON VIEW daily_orders IS 'Orders per day and status, for the finance export.';
