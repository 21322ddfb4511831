ALTER TABLE posts RENAME COLUMN excerpt TO summary;
