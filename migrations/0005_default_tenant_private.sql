-- 0005_default_tenant_private: no tenant reads which tenant is the default.
-- dbmigrate:requires row_level_security
--
-- Row-level security with no policy: a role that is not the table's owner (the API's) sees no row
-- of default_tenant and can write none; the owner (this migration tool, whose seed step keeps the
-- record) is not subject to it. Apart from 0004 so that 0004 never waits for the feature.

ALTER TABLE default_tenant ENABLE ROW LEVEL SECURITY;
