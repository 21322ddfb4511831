-- dbmigrate:requires row_level_security
DROP POLICY domains_tenant_isolation ON domains;
