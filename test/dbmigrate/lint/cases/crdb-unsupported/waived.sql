-- dbmigrate:allow crdb-unsupported the cluster rejects it whatever this says
CREATE DOMAIN slug AS TEXT CHECK (VALUE ~ '^[a-z0-9-]+$');
