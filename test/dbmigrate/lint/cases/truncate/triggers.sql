TRUNCATE tenant_usage;
