-- Saved on Windows.
CREATE TABLE golden_crlf (
    id INT,
    v TEXT DEFAULT 'a;b'
);

INSERT INTO golden_crlf (id) VALUES (1);
