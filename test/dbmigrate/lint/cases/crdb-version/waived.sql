-- dbmigrate:allow crdb-version every production cluster runs 25.2; the 23.2 test cluster skips this release
DO $$ BEGIN UPDATE posts SET updated_at = now() WHERE updated_at < created_at; END $$;
