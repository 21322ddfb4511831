-- CockroachDB's parser knows CREATE DOMAIN and refuses it (0A000, with its tracking issue).
CREATE DOMAIN slug AS TEXT CHECK (VALUE ~ '^[a-z0-9-]+$');
