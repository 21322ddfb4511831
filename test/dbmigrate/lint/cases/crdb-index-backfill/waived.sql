-- dbmigrate:allow crdb-index-backfill posts has under 50k rows per region; run off-peak, CockroachDB backfills online
CREATE INDEX IF NOT EXISTS posts_status_idx ON posts (customer_id, status);
