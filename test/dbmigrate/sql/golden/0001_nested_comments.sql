-- PostgreSQL nests block comments: the ';' below is still inside one.
/* outer /* inner */ still a comment; CREATE TABLE not_created (x INT); */
CREATE TABLE golden_nested (
    id INT PRIMARY KEY, /* a comment; with /* a nested one */ inside */
    note TEXT
);
/* before */ INSERT INTO golden_nested (id, note) VALUES (1, 'one'); /* after; */
