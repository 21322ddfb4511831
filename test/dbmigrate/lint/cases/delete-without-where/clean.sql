DELETE FROM tenant_usage WHERE value = 0;
