-- dbmigrate:allow crdb-row-level-security every cluster was upgraded to 25.2 before this release
ALTER TABLE posts ENABLE ROW LEVEL SECURITY;
