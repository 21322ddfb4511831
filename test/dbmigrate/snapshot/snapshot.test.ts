/**
 * The catalog snapshot and its diff on a real PostgreSQL: every kind of object added, dropped and
 * altered is one named change; the snapshot is stable (same schema, same JSON and hash) and
 * leaves out the engine's tables and extension objects.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  diffSnapshots,
  readSnapshot,
  renderDiffMarkdown,
  renderDiffText,
  snapshotHash,
  snapshotJson,
  type SchemaSnapshot,
} from "../../../dbmigrate/snapshot";
import { withDb } from "../../support/engine";
import { startPostgres, type TestPostgres } from "../../support/postgres";

let pg: TestPostgres;
before(async () => {
  pg = await startPostgres();
});
after(() => pg?.stop());

/** One object of each kind (the base both sides start from). */
const BASE = `
CREATE TYPE post_state AS ENUM ('draft', 'published');
CREATE SEQUENCE ticket_seq;
CREATE TABLE authors (id uuid PRIMARY KEY, name text NOT NULL);
CREATE TABLE posts (
  id uuid PRIMARY KEY,
  author_id uuid NOT NULL REFERENCES authors (id),
  title varchar(200) NOT NULL,
  state post_state NOT NULL DEFAULT 'draft',
  body text,
  CONSTRAINT posts_title_check CHECK (length(title) > 0)
);
CREATE INDEX posts_author_idx ON posts (author_id);
ALTER TABLE posts ENABLE ROW LEVEL SECURITY;
CREATE POLICY posts_own ON posts FOR SELECT USING (author_id IS NOT NULL);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER posts_touch BEFORE UPDATE ON posts FOR EACH ROW EXECUTE FUNCTION touch();
CREATE VIEW published AS SELECT id, title FROM posts WHERE state = 'published';
CREATE TABLE old_things (id int PRIMARY KEY);
`;

/** One change of each kind, applied to a copy of BASE. */
const HEAD = `
DROP VIEW published;
ALTER TYPE post_state ADD VALUE 'archived';
CREATE TYPE mood AS ENUM ('calm');
DROP SEQUENCE ticket_seq;
CREATE SEQUENCE invoice_seq INCREMENT BY 5;
DROP TABLE old_things;
CREATE TABLE tags (id uuid PRIMARY KEY, post_id uuid REFERENCES posts (id), label text NOT NULL UNIQUE);
ALTER TABLE posts ADD COLUMN tags text[] NOT NULL DEFAULT '{}';
ALTER TABLE posts DROP COLUMN body;
ALTER TABLE posts ALTER COLUMN title TYPE text;
ALTER TABLE posts ALTER COLUMN state SET DEFAULT 'published';
ALTER TABLE posts DROP CONSTRAINT posts_title_check;
ALTER TABLE posts ADD CONSTRAINT posts_title_check CHECK (length(title) > 3);
CREATE INDEX posts_tags_idx ON posts USING gin (tags);
DROP INDEX posts_author_idx;
CREATE INDEX posts_author_idx ON posts (author_id, id);
ALTER TABLE posts FORCE ROW LEVEL SECURITY;
DROP POLICY posts_own ON posts;
CREATE POLICY posts_own ON posts FOR SELECT USING (author_id IS NULL);
CREATE POLICY posts_insert ON posts FOR INSERT WITH CHECK (true);
ALTER TABLE posts DISABLE TRIGGER posts_touch;
CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.title := NEW.title; RETURN NEW; END $$;
CREATE FUNCTION slug(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT lower(t) $$;
CREATE VIEW published AS SELECT id, title, tags FROM posts WHERE state = 'published';
`;

async function snapshotOf(sql: string, exclude: string[] = []): Promise<SchemaSnapshot> {
  const dsn = await pg.createDatabase();
  return withDb(dsn, async (client) => {
    await client.query(sql);
    return readSnapshot(client, { excludeTables: exclude });
  });
}

describe("schema snapshot", () => {
  it("reads every kind of object, ordered, and is the same for the same schema", async () => {
    const a = await snapshotOf(BASE);
    const b = await snapshotOf(BASE);
    assert.equal(snapshotJson(a), snapshotJson(b));
    assert.equal(snapshotHash(a), snapshotHash(b));
    assert.match(snapshotHash(a), /^sha256:[0-9a-f]{64}$/);
    assert.deepEqual(
      a.tables.map((t) => t.name),
      ["authors", "old_things", "posts"],
    );
    const posts = a.tables.find((t) => t.name === "posts")!;
    assert.deepEqual(
      posts.columns.map((c) => `${c.name} ${c.type} ${c.nullable} ${c.default}`),
      [
        "id uuid false null",
        "author_id uuid false null",
        "title character varying(200) false null",
        "state post_state false 'draft'::post_state",
        "body text true null",
      ],
    );
    assert.equal(posts.rowLevelSecurity, true);
    assert.equal(posts.forceRowLevelSecurity, false);
    assert.deepEqual(
      posts.indexes.map((i) => i.name),
      ["posts_author_idx", "posts_pkey"],
    );
    assert.deepEqual(
      posts.constraints.map((c) => `${c.name} ${c.kind} ${c.references}`),
      ["posts_author_id_fkey foreign key authors", "posts_pkey primary key null", "posts_title_check check null"],
    );
    assert.deepEqual(posts.policies, [
      {
        name: "posts_own",
        command: "SELECT",
        permissive: true,
        roles: ["public"],
        using: "(author_id IS NOT NULL)",
        withCheck: null,
      },
    ]);
    assert.equal(posts.triggers[0].name, "posts_touch");
    assert.deepEqual(a.enums, [{ name: "post_state", values: ["draft", "published"] }]);
    assert.deepEqual(
      a.functions.map((f) => `${f.name} ${f.returns} ${f.language}`),
      ["touch() trigger plpgsql"],
    );
    assert.deepEqual(
      a.views.map((v) => v.name),
      ["published"],
    );
    assert.deepEqual(
      a.sequences.map((s) => s.name),
      ["ticket_seq"],
    );
  });

  it("leaves out the engine's tables and what an extension owns", async () => {
    const s = await snapshotOf(
      `CREATE EXTENSION IF NOT EXISTS pgcrypto; CREATE TABLE schema_migrations (id serial PRIMARY KEY); CREATE TABLE kept (id int);`,
      ["schema_migrations"],
    );
    assert.deepEqual(
      s.tables.map((t) => t.name),
      ["kept"],
    );
    assert.deepEqual(s.functions, [], "pgcrypto's functions are the extension's");
    assert.deepEqual(s.sequences, [], "the excluded table's serial goes with it");
  });
});

describe("schema diff", () => {
  it("names each object added, dropped or altered, of every kind", async () => {
    const base = await snapshotOf(BASE);
    const head = await snapshotOf(BASE + HEAD);
    const diff = diffSnapshots(base, head);
    assert.deepEqual(
      diff.changes.map(
        (c) =>
          `${c.change} ${c.kind} ${c.object}${c.changed.length ? ` [${c.changed.map((x) => x.attribute).join(",")}]` : ""}`,
      ),
      [
        "added enum mood",
        "altered enum post_state [values]",
        "added sequence invoice_seq",
        "dropped sequence ticket_seq",
        "dropped table old_things",
        "altered table posts [forceRowLevelSecurity]",
        "dropped column posts.body",
        "altered column posts.state [default]",
        "added column posts.tags",
        "altered column posts.title [type]",
        "altered constraint posts.posts_title_check [definition]",
        "altered index posts.posts_author_idx [definition]",
        "added index posts.posts_tags_idx",
        "added policy posts.posts_insert",
        "altered policy posts.posts_own [using]",
        "altered trigger posts.posts_touch [enabled]",
        "added table tags",
        "added function slug(t text)",
        "altered function touch() [body]",
        "altered view published [definition]",
      ],
    );
    assert.notEqual(diff.fromHash, diff.toHash);
    const text = renderDiffText(diff);
    assert.match(text, /^\+ column posts\.tags: text\[\] NOT NULL DEFAULT '\{\}'::text\[\]$/m);
    assert.match(text, /^~ column posts\.title: type character varying\(200\) → text$/m);
    assert.match(text, /^~ table posts: forced row-level security off → on$/m);
    assert.match(text, /^- table old_things: 1 column, 1 index, 1 constraint: id$/m);
  });

  it("is empty between equal schemas, and renders Markdown with a Mermaid ER fragment of the changed tables", async () => {
    const base = await snapshotOf(BASE);
    assert.deepEqual(diffSnapshots(base, await snapshotOf(BASE)).changes, []);
    const head = await snapshotOf(`${BASE} ALTER TABLE posts ADD COLUMN tags text[];`);
    const md = renderDiffMarkdown(diffSnapshots(base, head), head);
    assert.match(md, /^\| \+ added \| column `posts\.tags` \| text\[\] \|$/m);
    assert.match(md, /```mermaid\nerDiagram\n {2}posts \{\n {4}uuid id PK\n/);
    assert.match(md, / {4}text_array tags "added: text\[\]"/);
    assert.doesNotMatch(md, /authors \{/, "only the changed tables are drawn");
  });
});
