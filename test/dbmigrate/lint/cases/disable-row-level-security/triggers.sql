-- dbmigrate:requires row_level_security
ALTER TABLE domains DISABLE ROW LEVEL SECURITY;
