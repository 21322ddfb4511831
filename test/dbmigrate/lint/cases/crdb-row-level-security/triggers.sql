-- Without -- dbmigrate:requires row_level_security the file meets CockroachDB 23.2.
ALTER TABLE posts ENABLE ROW LEVEL SECURITY;
