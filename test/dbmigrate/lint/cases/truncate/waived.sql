-- dbmigrate:allow truncate tenant_usage is recomputed nightly from the access logs
TRUNCATE tenant_usage;
