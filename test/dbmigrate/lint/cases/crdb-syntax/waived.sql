-- dbmigrate:allow crdb-syntax the cluster rejects it whatever this says
ALTER TABLE posts ALTER COLUMN body SET STORAGE PLAIN;
