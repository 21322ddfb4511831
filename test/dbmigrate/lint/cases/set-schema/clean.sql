CREATE TABLE IF NOT EXISTS usage_staging (id UUID NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY);
ALTER TABLE usage_staging SET SCHEMA billing;
