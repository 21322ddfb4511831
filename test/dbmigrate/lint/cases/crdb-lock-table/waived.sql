-- dbmigrate:allow crdb-lock-table a PostgreSQL-only maintenance step
LOCK TABLE posts IN SHARE MODE;
