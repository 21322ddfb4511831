-- PostgreSQL accepts each; CockroachDB's parser rejects each (issue 17's cases).
ALTER TABLE customers ALTER COLUMN name SET STATISTICS 100;
ALTER TABLE customers ALTER COLUMN name SET STORAGE PLAIN;
ALTER TABLE customers REPLICA IDENTITY FULL;
SECURITY LABEL ON TABLE customers IS 'classified';
CREATE TABLE archive (id UUID NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY) TABLESPACE pg_default;
CREATE DOMAIN slug AS TEXT;
