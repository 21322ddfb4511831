CREATE TABLE golden_e (v TEXT);
INSERT INTO golden_e (v) VALUES (E'it\'s; tricky'), (E'back\\slash; and \'quote\'');
INSERT INTO golden_e (v) VALUES ('doubled ''quote''; here');
