-- dbmigrate:requires row_level_security
-- dbmigrate:allow drop-policy domains are public DNS data; the API filters by tenant itself since release 44
DROP POLICY domains_tenant_isolation ON domains;
