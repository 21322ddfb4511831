DROP POLICY domains_tenant_isolation ON domains;
