-- A DO block: conditional DDL the way projects write idempotent migrations, and a small backfill.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'corpus_reader') THEN
        CREATE ROLE corpus_reader NOLOGIN;
    END IF;
    IF NOT EXISTS (
        SELECT 1 FROM information_schema.columns
         WHERE table_schema = 'app' AND table_name = 'accounts' AND column_name = 'locale'
    ) THEN
        ALTER TABLE app.accounts ADD COLUMN locale TEXT NOT NULL DEFAULT 'en';
    END IF;
END
$$;

INSERT INTO app.accounts (email, display_name) VALUES ('ada@example.com', 'Ada'), ('grace@example.com', 'Grace');

DO $$
DECLARE
    account RECORD;
BEGIN
    FOR account IN SELECT id FROM app.accounts ORDER BY id LOOP
        INSERT INTO app.orders (account_id, total_cents, note) VALUES (account.id, 1000, 'welcome order');
    END LOOP;
END
$$;
