-- 0004_default_tenant: which customer and site are the default tenant, recorded in the database.
--
-- One row at most: the constant `singleton` column and its unique constraint make a second
-- default impossible, even for two runners at once. `dbmigrate up` creates the row (with the
-- default customer and site) when there is none, and otherwise keeps or converges it; it never
-- picks a tenant by the slugs a run happens to be given. Not tenant data: 0005 hides it from the API role.
--
-- A database seeded before this migration gets its default recorded here: the oldest live
-- customer's oldest live site, which is what the seed created right after the first migration.
-- Idempotent: run again, it adds nothing.

CREATE TABLE IF NOT EXISTS default_tenant (
    id UUID NOT NULL DEFAULT gen_random_uuid(),
    singleton BOOLEAN NOT NULL DEFAULT true,
    customer_id UUID NOT NULL,
    site_id UUID NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT default_tenant_pkey PRIMARY KEY (id),
    CONSTRAINT default_tenant_singleton_key UNIQUE (singleton),
    CONSTRAINT default_tenant_singleton_check CHECK (singleton),
    CONSTRAINT default_tenant_site_fkey FOREIGN KEY (customer_id, site_id) REFERENCES sites (customer_id, id)
);

INSERT INTO default_tenant (customer_id, site_id)
SELECT c.id, s.id
  FROM customers c
  JOIN sites s ON s.customer_id = c.id AND s.deleted_at IS NULL
 WHERE c.deleted_at IS NULL
 ORDER BY c.created_at, c.id, s.created_at, s.id
 LIMIT 1
ON CONFLICT (singleton) DO NOTHING;
