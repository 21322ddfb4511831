-- A CHECK constraint says the same on both engines.
CREATE TABLE slugs (id UUID NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY, slug TEXT NOT NULL CHECK (slug ~ '^[a-z0-9-]+$'));
