ALTER TABLE tenant_usage SET SCHEMA billing;
