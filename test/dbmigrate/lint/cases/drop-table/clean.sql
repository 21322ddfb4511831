CREATE TABLE scratch (id UUID NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY);
DROP TABLE scratch;
