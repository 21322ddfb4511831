-- 🐐🐐 goats before the statements: lines and columns stay right.
CREATE TABLE golden_emoji (v TEXT);
INSERT INTO golden_emoji (v)
SELECT '🐐🐐' FROM
golden_no_such_table;
