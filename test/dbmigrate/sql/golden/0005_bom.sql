-- A byte-order mark before this line changes neither the checksum nor the lines.
CREATE TABLE golden_bom (id INT);
