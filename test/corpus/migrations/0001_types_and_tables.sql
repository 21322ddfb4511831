-- Shapes from real projects: an extension-free base schema with an enum, a domain and a table
-- whose comment is long documentation, the way teams write it for their data catalog.
CREATE SCHEMA app;

COMMENT ON SCHEMA app IS 'Application objects. Everything the service reads and writes lives here; reporting views live in their own schema.';

CREATE TYPE app.order_status AS ENUM ('pending', 'paid', 'shipped', 'cancelled');

CREATE DOMAIN app.email AS TEXT CHECK (VALUE ~ '^[^@[:space:]]+@[^@[:space:]]+$');

CREATE TABLE app.accounts (
    id BIGSERIAL PRIMARY KEY,
    email app.email NOT NULL UNIQUE,
    display_name TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE app.orders (
    id BIGSERIAL PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES app.accounts (id) ON DELETE CASCADE,
    status app.order_status NOT NULL DEFAULT 'pending',
    total_cents BIGINT NOT NULL CHECK (total_cents >= 0),
    note TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX orders_account_id_idx ON app.orders (account_id);
CREATE INDEX orders_open_idx ON app.orders (created_at) WHERE status IN ('pending', 'paid');
