-- AGoat Publisher: the complete database schema, for a fresh database.
-- Generated from migrations/ by `dbmigrate build-complete`: do not edit by hand.
-- Apply it with `dbmigrate apply-complete`, which records every section below as applied.
-- Runs on CockroachDB 23.2+ and PostgreSQL 15+ (see each section's dbmigrate:requires).

-- dbmigrate:section 0001_complete_schema.sql
-- 0001_complete_schema: the AGoat Publisher schema, version 1.
--
-- Written in the SQL that CockroachDB 23.2+ and PostgreSQL 15+ both accept: no extensions, no
-- sequences, no triggers, no DEFERRABLE, no procedural code, one statement per semicolon.
-- Every primary key is a random UUID (no hotspot on CockroachDB ranges). The customer is the
-- tenant: each tenant-owned row carries customer_id, and composite foreign keys
-- (customer_id, x_id) -> x (customer_id, id) stop a row from pointing into another tenant.
-- Every secondary index is named after the query it serves in docs/queries.md.

CREATE TABLE customers (
    id UUID NOT NULL DEFAULT gen_random_uuid(),
    name TEXT NOT NULL,
    slug TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'active',
    metadata JSONB NOT NULL DEFAULT '{}'::JSONB,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    deleted_at TIMESTAMPTZ NULL,
    CONSTRAINT customers_pkey PRIMARY KEY (id),
    CONSTRAINT customers_name_check CHECK (length(name) BETWEEN 1 AND 200),
    CONSTRAINT customers_slug_check CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 63),
    CONSTRAINT customers_status_check CHECK (status IN ('active', 'suspended', 'closed'))
);

CREATE TABLE sites (
    id UUID NOT NULL DEFAULT gen_random_uuid(),
    customer_id UUID NOT NULL,
    name TEXT NOT NULL,
    slug TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'active',
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    deleted_at TIMESTAMPTZ NULL,
    CONSTRAINT sites_pkey PRIMARY KEY (id),
    CONSTRAINT sites_customer_id_id_key UNIQUE (customer_id, id),
    CONSTRAINT sites_customer_fkey FOREIGN KEY (customer_id) REFERENCES customers (id),
    CONSTRAINT sites_name_check CHECK (length(name) BETWEEN 1 AND 200),
    CONSTRAINT sites_slug_check CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 63),
    CONSTRAINT sites_status_check CHECK (status IN ('active', 'disabled', 'archived'))
);

CREATE TABLE domains (
    id UUID NOT NULL DEFAULT gen_random_uuid(),
    customer_id UUID NOT NULL,
    site_id UUID NOT NULL,
    hostname TEXT NOT NULL,
    is_primary BOOLEAN NOT NULL DEFAULT false,
    verified_at TIMESTAMPTZ NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    deleted_at TIMESTAMPTZ NULL,
    CONSTRAINT domains_pkey PRIMARY KEY (id),
    CONSTRAINT domains_site_fkey FOREIGN KEY (customer_id, site_id) REFERENCES sites (customer_id, id),
    -- Lower case, labels of letters, digits and inner hyphens: no scheme, no port, no path.
    CONSTRAINT domains_hostname_check CHECK (
        length(hostname) <= 253
        AND hostname ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$'
    )
);

CREATE TABLE users (
    id UUID NOT NULL DEFAULT gen_random_uuid(),
    customer_id UUID NOT NULL,
    email TEXT NOT NULL,
    display_name TEXT NULL,
    role TEXT NOT NULL DEFAULT 'viewer',
    status TEXT NOT NULL DEFAULT 'active',
    metadata JSONB NOT NULL DEFAULT '{}'::JSONB,
    last_login_at TIMESTAMPTZ NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    deleted_at TIMESTAMPTZ NULL,
    CONSTRAINT users_pkey PRIMARY KEY (id),
    CONSTRAINT users_customer_id_id_key UNIQUE (customer_id, id),
    CONSTRAINT users_customer_fkey FOREIGN KEY (customer_id) REFERENCES customers (id),
    CONSTRAINT users_email_check CHECK (email = lower(email) AND email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
    CONSTRAINT users_role_check CHECK (role IN ('owner', 'admin', 'editor', 'author', 'viewer')),
    CONSTRAINT users_status_check CHECK (status IN ('invited', 'active', 'disabled'))
);

CREATE TABLE posts (
    id UUID NOT NULL DEFAULT gen_random_uuid(),
    customer_id UUID NOT NULL,
    site_id UUID NOT NULL,
    author_id UUID NOT NULL,
    title TEXT NOT NULL,
    slug TEXT NOT NULL,
    excerpt TEXT NULL,
    body TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'draft',
    published_at TIMESTAMPTZ NULL,
    metadata JSONB NOT NULL DEFAULT '{}'::JSONB,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    deleted_at TIMESTAMPTZ NULL,
    CONSTRAINT posts_pkey PRIMARY KEY (id),
    CONSTRAINT posts_site_fkey FOREIGN KEY (customer_id, site_id) REFERENCES sites (customer_id, id),
    CONSTRAINT posts_author_fkey FOREIGN KEY (customer_id, author_id) REFERENCES users (customer_id, id),
    CONSTRAINT posts_title_check CHECK (length(title) BETWEEN 1 AND 500),
    CONSTRAINT posts_slug_check CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 200),
    CONSTRAINT posts_status_check CHECK (status IN ('draft', 'scheduled', 'published', 'archived')),
    CONSTRAINT posts_published_at_check CHECK (status NOT IN ('published', 'scheduled') OR published_at IS NOT NULL)
);

CREATE TABLE iam_providers (
    id UUID NOT NULL DEFAULT gen_random_uuid(),
    customer_id UUID NOT NULL,
    name TEXT NOT NULL,
    provider_type TEXT NOT NULL,
    issuer_url TEXT NULL,
    client_id TEXT NOT NULL,
    -- The client secret is kept only as ciphertext, with the id of the key that encrypted it.
    client_secret_ciphertext BYTEA NULL,
    client_secret_key_id TEXT NULL,
    config JSONB NOT NULL DEFAULT '{}'::JSONB,
    enabled BOOLEAN NOT NULL DEFAULT true,
    sync_status TEXT NOT NULL DEFAULT 'never',
    last_synced_at TIMESTAMPTZ NULL,
    last_sync_error TEXT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    deleted_at TIMESTAMPTZ NULL,
    CONSTRAINT iam_providers_pkey PRIMARY KEY (id),
    CONSTRAINT iam_providers_customer_id_id_key UNIQUE (customer_id, id),
    CONSTRAINT iam_providers_customer_fkey FOREIGN KEY (customer_id) REFERENCES customers (id),
    CONSTRAINT iam_providers_name_check CHECK (length(name) BETWEEN 1 AND 200),
    CONSTRAINT iam_providers_type_check CHECK (provider_type IN ('auth0', 'okta', 'azure', 'google')),
    CONSTRAINT iam_providers_issuer_url_check CHECK (issuer_url IS NULL OR issuer_url ~ '^https://'),
    CONSTRAINT iam_providers_client_secret_check CHECK (
        (client_secret_ciphertext IS NULL) = (client_secret_key_id IS NULL)
    ),
    CONSTRAINT iam_providers_sync_status_check CHECK (sync_status IN ('never', 'pending', 'syncing', 'ok', 'error'))
);

CREATE TABLE iam_user_mappings (
    id UUID NOT NULL DEFAULT gen_random_uuid(),
    customer_id UUID NOT NULL,
    provider_id UUID NOT NULL,
    user_id UUID NOT NULL,
    external_id TEXT NOT NULL,
    external_email TEXT NULL,
    sync_status TEXT NOT NULL DEFAULT 'pending',
    last_synced_at TIMESTAMPTZ NULL,
    last_sync_error TEXT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT iam_user_mappings_pkey PRIMARY KEY (id),
    CONSTRAINT iam_user_mappings_provider_fkey FOREIGN KEY (customer_id, provider_id) REFERENCES iam_providers (customer_id, id),
    CONSTRAINT iam_user_mappings_user_fkey FOREIGN KEY (customer_id, user_id) REFERENCES users (customer_id, id),
    CONSTRAINT iam_user_mappings_external_id_check CHECK (length(external_id) BETWEEN 1 AND 255),
    CONSTRAINT iam_user_mappings_sync_status_check CHECK (sync_status IN ('pending', 'syncing', 'ok', 'error'))
);

CREATE TABLE iam_group_mappings (
    id UUID NOT NULL DEFAULT gen_random_uuid(),
    customer_id UUID NOT NULL,
    provider_id UUID NOT NULL,
    external_group TEXT NOT NULL,
    role TEXT NOT NULL,
    -- NULL: the role holds on every site of the tenant.
    site_id UUID NULL,
    sync_status TEXT NOT NULL DEFAULT 'pending',
    last_synced_at TIMESTAMPTZ NULL,
    last_sync_error TEXT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT iam_group_mappings_pkey PRIMARY KEY (id),
    CONSTRAINT iam_group_mappings_provider_fkey FOREIGN KEY (customer_id, provider_id) REFERENCES iam_providers (customer_id, id),
    CONSTRAINT iam_group_mappings_site_fkey FOREIGN KEY (customer_id, site_id) REFERENCES sites (customer_id, id),
    CONSTRAINT iam_group_mappings_external_group_check CHECK (length(external_group) BETWEEN 1 AND 255),
    CONSTRAINT iam_group_mappings_role_check CHECK (role IN ('owner', 'admin', 'editor', 'author', 'viewer')),
    CONSTRAINT iam_group_mappings_sync_status_check CHECK (sync_status IN ('pending', 'syncing', 'ok', 'error'))
);

CREATE TABLE tenant_usage (
    id UUID NOT NULL DEFAULT gen_random_uuid(),
    customer_id UUID NOT NULL,
    -- NULL: usage of the whole tenant rather than one site.
    site_id UUID NULL,
    metric TEXT NOT NULL,
    value INT8 NOT NULL,
    period_start TIMESTAMPTZ NOT NULL,
    period_end TIMESTAMPTZ NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT tenant_usage_pkey PRIMARY KEY (id),
    CONSTRAINT tenant_usage_customer_fkey FOREIGN KEY (customer_id) REFERENCES customers (id),
    CONSTRAINT tenant_usage_site_fkey FOREIGN KEY (customer_id, site_id) REFERENCES sites (customer_id, id),
    CONSTRAINT tenant_usage_metric_check CHECK (
        metric IN ('storage_bytes', 'bandwidth_bytes', 'api_requests', 'page_views', 'posts', 'users', 'sites')
    ),
    CONSTRAINT tenant_usage_value_check CHECK (value >= 0),
    CONSTRAINT tenant_usage_period_check CHECK (period_end > period_start)
);

-- Append-only: the API role is granted SELECT and INSERT only (docs/adrs/0005-row-level-tenant-isolation.md).
CREATE TABLE audit_logs (
    id UUID NOT NULL DEFAULT gen_random_uuid(),
    -- NULL for system events that belong to no tenant (schema migrations).
    customer_id UUID NULL,
    actor_type TEXT NOT NULL,
    actor_id TEXT NULL,
    action TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id TEXT NULL,
    changes JSONB NOT NULL DEFAULT '{}'::JSONB,
    ip_address INET NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT audit_logs_pkey PRIMARY KEY (id),
    CONSTRAINT audit_logs_customer_fkey FOREIGN KEY (customer_id) REFERENCES customers (id),
    CONSTRAINT audit_logs_actor_type_check CHECK (actor_type IN ('user', 'service', 'system')),
    CONSTRAINT audit_logs_action_check CHECK (action ~ '^[a-z][a-z_]*(\.[a-z][a-z_]*)+$')
);

CREATE TABLE site_settings (
    id UUID NOT NULL DEFAULT gen_random_uuid(),
    customer_id UUID NOT NULL,
    site_id UUID NOT NULL,
    key TEXT NOT NULL,
    value JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT site_settings_pkey PRIMARY KEY (id),
    CONSTRAINT site_settings_site_fkey FOREIGN KEY (customer_id, site_id) REFERENCES sites (customer_id, id),
    -- Q13: a site's settings, and one value per key.
    CONSTRAINT site_settings_site_key_key UNIQUE (customer_id, site_id, key),
    CONSTRAINT site_settings_key_check CHECK (key ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$' AND length(key) <= 100)
);

-- The 13 purpose-built secondary indexes. Each names its query in docs/queries.md.

-- Q1: a tenant by slug (tenant resolution at sign-in). A slug is reusable after soft delete.
CREATE UNIQUE INDEX customers_slug_live_key ON customers (slug) WHERE deleted_at IS NULL;

-- Q2: a tenant's sites, and a site by slug within a tenant.
CREATE UNIQUE INDEX sites_customer_slug_live_key ON sites (customer_id, slug) WHERE deleted_at IS NULL;

-- Q3: hostname to site (every request). A hostname is mappable again once its mapping is deleted.
CREATE UNIQUE INDEX domains_hostname_live_key ON domains (hostname) WHERE deleted_at IS NULL;

-- Q4: a site's primary domain (canonical URLs); at most one live primary per site.
CREATE UNIQUE INDEX domains_site_primary_key ON domains (customer_id, site_id) WHERE is_primary AND deleted_at IS NULL;

-- Q5: a user by email within a tenant (sign-in, invitations).
CREATE UNIQUE INDEX users_customer_email_live_key ON users (customer_id, email) WHERE deleted_at IS NULL;

-- Q6: a site's published posts, newest first (home page, feeds).
CREATE INDEX posts_site_published_idx ON posts (customer_id, site_id, published_at DESC) WHERE status = 'published' AND deleted_at IS NULL;

-- Q7: a post by slug within a site (post pages).
CREATE UNIQUE INDEX posts_site_slug_live_key ON posts (customer_id, site_id, slug) WHERE deleted_at IS NULL;

-- Q8: an author's posts, last edited first (the editor's dashboard).
CREATE INDEX posts_author_updated_idx ON posts (customer_id, author_id, updated_at DESC) WHERE deleted_at IS NULL;

-- Q9: a tenant's IAM providers (sign-in options, sync jobs).
CREATE UNIQUE INDEX iam_providers_customer_name_live_key ON iam_providers (customer_id, name) WHERE deleted_at IS NULL;

-- Q10: a user by IAM external id (every federated sign-in). One mapping per (provider, external id).
CREATE UNIQUE INDEX iam_user_mappings_provider_external_key ON iam_user_mappings (provider_id, external_id);

-- Q11: roles for a user's external groups, per site or tenant-wide (NULL site folded to the zero UUID).
CREATE UNIQUE INDEX iam_group_mappings_provider_group_site_key ON iam_group_mappings (provider_id, external_group, (COALESCE(site_id, '00000000-0000-0000-0000-000000000000'::UUID)));

-- Q12: a tenant's usage over a period; one row per (tenant, site or none, metric, period start).
CREATE UNIQUE INDEX tenant_usage_period_key ON tenant_usage (customer_id, period_start, metric, (COALESCE(site_id, '00000000-0000-0000-0000-000000000000'::UUID)));

-- Q13 is served by site_settings_site_key_key above. Q14: a tenant's latest audit events.
CREATE INDEX audit_logs_customer_created_idx ON audit_logs (customer_id, created_at DESC);
-- dbmigrate:end-section 0001_complete_schema.sql

-- dbmigrate:section 0002_tenant_row_level_security.sql
-- 0002_tenant_row_level_security: tenant isolation inside the database.
-- dbmigrate:requires row_level_security
--
-- A role that is not the tables' owner (the API's) sees and writes only the rows of the tenant
-- named by the session setting app.customer_id (SET app.customer_id = '<uuid>'; or SET LOCAL per
-- transaction). Unset, it sees nothing. The owner (this migration tool) is not subject to the
-- policies, so migrations and the seed work unchanged. Needs PostgreSQL, or CockroachDB 25.2+;
-- elsewhere dbmigrate records this migration as skipped and says so (docs/adrs/0005).

ALTER TABLE customers ENABLE ROW LEVEL SECURITY;

ALTER TABLE sites ENABLE ROW LEVEL SECURITY;

ALTER TABLE domains ENABLE ROW LEVEL SECURITY;

ALTER TABLE users ENABLE ROW LEVEL SECURITY;

ALTER TABLE posts ENABLE ROW LEVEL SECURITY;

ALTER TABLE iam_providers ENABLE ROW LEVEL SECURITY;

ALTER TABLE iam_user_mappings ENABLE ROW LEVEL SECURITY;

ALTER TABLE iam_group_mappings ENABLE ROW LEVEL SECURITY;

ALTER TABLE tenant_usage ENABLE ROW LEVEL SECURITY;

ALTER TABLE audit_logs ENABLE ROW LEVEL SECURITY;

ALTER TABLE site_settings ENABLE ROW LEVEL SECURITY;

CREATE POLICY customers_tenant_isolation ON customers
    USING (id = NULLIF(current_setting('app.customer_id', true), '')::UUID)
    WITH CHECK (id = NULLIF(current_setting('app.customer_id', true), '')::UUID);

CREATE POLICY sites_tenant_isolation ON sites
    USING (customer_id = NULLIF(current_setting('app.customer_id', true), '')::UUID)
    WITH CHECK (customer_id = NULLIF(current_setting('app.customer_id', true), '')::UUID);

CREATE POLICY domains_tenant_isolation ON domains
    USING (customer_id = NULLIF(current_setting('app.customer_id', true), '')::UUID)
    WITH CHECK (customer_id = NULLIF(current_setting('app.customer_id', true), '')::UUID);

CREATE POLICY users_tenant_isolation ON users
    USING (customer_id = NULLIF(current_setting('app.customer_id', true), '')::UUID)
    WITH CHECK (customer_id = NULLIF(current_setting('app.customer_id', true), '')::UUID);

CREATE POLICY posts_tenant_isolation ON posts
    USING (customer_id = NULLIF(current_setting('app.customer_id', true), '')::UUID)
    WITH CHECK (customer_id = NULLIF(current_setting('app.customer_id', true), '')::UUID);

CREATE POLICY iam_providers_tenant_isolation ON iam_providers
    USING (customer_id = NULLIF(current_setting('app.customer_id', true), '')::UUID)
    WITH CHECK (customer_id = NULLIF(current_setting('app.customer_id', true), '')::UUID);

CREATE POLICY iam_user_mappings_tenant_isolation ON iam_user_mappings
    USING (customer_id = NULLIF(current_setting('app.customer_id', true), '')::UUID)
    WITH CHECK (customer_id = NULLIF(current_setting('app.customer_id', true), '')::UUID);

CREATE POLICY iam_group_mappings_tenant_isolation ON iam_group_mappings
    USING (customer_id = NULLIF(current_setting('app.customer_id', true), '')::UUID)
    WITH CHECK (customer_id = NULLIF(current_setting('app.customer_id', true), '')::UUID);

CREATE POLICY tenant_usage_tenant_isolation ON tenant_usage
    USING (customer_id = NULLIF(current_setting('app.customer_id', true), '')::UUID)
    WITH CHECK (customer_id = NULLIF(current_setting('app.customer_id', true), '')::UUID);

CREATE POLICY audit_logs_tenant_isolation ON audit_logs
    USING (customer_id = NULLIF(current_setting('app.customer_id', true), '')::UUID)
    WITH CHECK (customer_id = NULLIF(current_setting('app.customer_id', true), '')::UUID);

CREATE POLICY site_settings_tenant_isolation ON site_settings
    USING (customer_id = NULLIF(current_setting('app.customer_id', true), '')::UUID)
    WITH CHECK (customer_id = NULLIF(current_setting('app.customer_id', true), '')::UUID);
-- dbmigrate:end-section 0002_tenant_row_level_security.sql

-- dbmigrate:section 0003_users_email_ascii_whitespace.sql
-- 0003_users_email_ascii_whitespace: one meaning of "whitespace" in users_email_check.
--
-- 0001 wrote [:space:], which CockroachDB's regexp engine (Go RE2) reads as ASCII whitespace
-- only and PostgreSQL reads by the database's locale (so a no-break space may count on one
-- engine and not the other). An explicit ASCII class reads the same on both: space, tab,
-- line feed, vertical tab, form feed and carriage return, as escapes both engines read inside [].

-- dbmigrate:allow drop-constraint the next statement adds it back under the same name, on PostgreSQL in the same transaction
ALTER TABLE users DROP CONSTRAINT users_email_check;

-- dbmigrate:allow constraint-missing-not-valid every row passes it already: it forbids a subset of what 0001's [:space:] forbade
ALTER TABLE users ADD CONSTRAINT users_email_check CHECK (
    email = lower(email) AND email ~ '^[^@ \t\n\v\f\r]+@[^@ \t\n\v\f\r]+$'
);
-- dbmigrate:end-section 0003_users_email_ascii_whitespace.sql

-- dbmigrate:section 0004_default_tenant.sql
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
-- dbmigrate:end-section 0004_default_tenant.sql

-- dbmigrate:section 0005_default_tenant_private.sql
-- 0005_default_tenant_private: no tenant reads which tenant is the default.
-- dbmigrate:requires row_level_security
--
-- Row-level security with no policy: a role that is not the table's owner (the API's) sees no row
-- of default_tenant and can write none; the owner (this migration tool, whose seed step keeps the
-- record) is not subject to it. Apart from 0004 so that 0004 never waits for the feature.

ALTER TABLE default_tenant ENABLE ROW LEVEL SECURITY;
-- dbmigrate:end-section 0005_default_tenant_private.sql

-- dbmigrate:section 0006_default_tenant_site_may_go.sql
-- 0006_default_tenant_site_may_go: deleting the default site is an operator's right.
--
-- 0004 tied default_tenant to its site with a foreign key, so a site row could not be deleted
-- while it was the default. The record now keeps the customer's key only: when the default site is
-- deleted (or soft-deleted), `status` and a Pulumi refresh report it missing, and the next `up`
-- creates a site for the same customer and points the record at it.

-- dbmigrate:allow drop-constraint the engine checks the record itself and replaces a missing site
ALTER TABLE default_tenant DROP CONSTRAINT default_tenant_site_fkey;

-- dbmigrate:allow constraint-missing-not-valid default_tenant has one row at most: the scan is instant
-- dbmigrate:allow adding-foreign-key-constraint one row at most, and customers is locked for a moment only
ALTER TABLE default_tenant ADD CONSTRAINT default_tenant_customer_fkey FOREIGN KEY (customer_id) REFERENCES customers (id);
-- dbmigrate:end-section 0006_default_tenant_site_may_go.sql
