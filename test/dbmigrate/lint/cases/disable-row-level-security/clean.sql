-- dbmigrate:requires row_level_security
ALTER TABLE domains ENABLE ROW LEVEL SECURITY;
