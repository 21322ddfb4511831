-- dbmigrate:allow crdb-sequence a low-traffic lookup table whose hotspot we accept
CREATE TABLE tags (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL
);
