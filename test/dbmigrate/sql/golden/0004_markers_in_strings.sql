CREATE TABLE "golden;weird--name" ("semi;colon" TEXT, "dash--dash" TEXT);
INSERT INTO "golden;weird--name" VALUES ('-- not a comment; really', '/* nor this; */');
