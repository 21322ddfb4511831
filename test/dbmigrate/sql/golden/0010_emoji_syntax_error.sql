-- 🐐🐐 goats before the error: the column counts characters, not bytes.
SELECT '🐐🐐', 'é';
CREATE TABLE golden_bad (v TEXT DEFAULT '🐐é',, id INT);
