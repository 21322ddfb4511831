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
