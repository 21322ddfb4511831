-- dbmigrate:allow crdb-trigger PostgreSQL-only audit trigger, documented in docs/adrs
CREATE TRIGGER posts_touch BEFORE UPDATE ON posts FOR EACH ROW EXECUTE FUNCTION touch();
