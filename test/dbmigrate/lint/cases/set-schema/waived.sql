-- dbmigrate:allow set-schema the billing service reads tenant_usage through its own search_path already
ALTER TABLE tenant_usage SET SCHEMA billing;
