DELETE FROM tenant_usage;
