-- dbmigrate:allow crdb-procedural-code runs only on PostgreSQL review databases
DO $$
BEGIN
    UPDATE posts SET excerpt = NULL WHERE excerpt = '';
END
$$;
