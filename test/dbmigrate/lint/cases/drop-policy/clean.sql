-- dbmigrate:requires row_level_security
ALTER POLICY domains_tenant_isolation ON domains USING (customer_id = NULLIF(current_setting('app.customer_id', true), '')::UUID);
