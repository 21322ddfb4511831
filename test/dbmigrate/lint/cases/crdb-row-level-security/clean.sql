-- dbmigrate:requires row_level_security
-- Gated: it runs only on clusters at 25.2+, so it is checked against 25.2.
ALTER TABLE posts ENABLE ROW LEVEL SECURITY;
