-- 0003_users_email_ascii_whitespace: one meaning of "whitespace" in users_email_check.
--
-- 0001 wrote [:space:], which CockroachDB's regexp engine (Go RE2) reads as ASCII whitespace
-- only and PostgreSQL reads by the database's locale (so a no-break space may count on one
-- engine and not the other). An explicit ASCII class reads the same on both: space, tab,
-- line feed, vertical tab, form feed and carriage return, as escapes both engines read inside [].

-- dbmigrate:allow drop-constraint the next statement adds it back under the same name, on PostgreSQL in the same transaction
ALTER TABLE users DROP CONSTRAINT users_email_check;

-- dbmigrate:allow constraint-missing-not-valid every row passes it already: it forbids a subset of what 0001's [:space:] forbade
ALTER TABLE users ADD CONSTRAINT users_email_check CHECK (
    email = lower(email) AND email ~ '^[^@ \t\n\v\f\r]+@[^@ \t\n\v\f\r]+$'
);
