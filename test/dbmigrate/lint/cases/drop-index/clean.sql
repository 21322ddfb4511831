CREATE TABLE scratch (id UUID NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY, n TEXT);
CREATE INDEX scratch_n_idx ON scratch (n);
DROP INDEX scratch_n_idx;
