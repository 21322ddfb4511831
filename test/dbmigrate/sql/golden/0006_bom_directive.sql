-- dbmigrate:requires row_level_security
ALTER TABLE golden_bom ENABLE ROW LEVEL SECURITY;
