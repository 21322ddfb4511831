-- dbmigrate:allow delete-without-where tenant_usage is recomputed nightly from the access logs
DELETE FROM tenant_usage;
