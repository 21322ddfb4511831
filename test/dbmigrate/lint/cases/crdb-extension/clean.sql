-- gen_random_uuid() is built into both engines: no extension needed.
CREATE TABLE IF NOT EXISTS lint_ok (id UUID NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY);
