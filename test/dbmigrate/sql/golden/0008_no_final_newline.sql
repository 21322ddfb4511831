CREATE TABLE golden_eof (id INT);
INSERT INTO golden_eof (id) VALUES (1) -- no semicolon, no newline