/**
 * `dbmigrate diff` as a user runs it: the real executable, its own throwaway embedded PostgreSQL,
 * the change printed object by object as text, Markdown (with the Mermaid ER fragment) and JSON.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { runCli } from "../../support/cli";
import { tempDir } from "../../support/temp";

function folder(files: Record<string, string>): string {
  const dir = tempDir("migrations-");
  for (const [name, sql] of Object.entries(files)) writeFileSync(path.join(dir, name), sql);
  return dir;
}

const BASE = { "0001_posts.sql": "CREATE TABLE posts (id uuid PRIMARY KEY, title text NOT NULL);\n" };
const HEAD = {
  ...BASE,
  "0002_post_tags.sql":
    "ALTER TABLE posts ADD COLUMN tags text[] NOT NULL DEFAULT '{}';\nCREATE INDEX posts_tags_idx ON posts USING gin (tags);\n",
};

describe("dbmigrate diff", () => {
  it("prints the schema change as Markdown with a Mermaid ER fragment, from two folders", async () => {
    const run = await runCli(["diff", "--from", folder(BASE), "--to", folder(HEAD), "--format", "markdown"]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^\| \+ added \| column `posts\.tags` \| text\[\] NOT NULL DEFAULT '\{\}'::text\[\] \|$/m);
    assert.match(
      run.stdout,
      /^\| \+ added \| index `posts\.posts_tags_idx` \| CREATE INDEX posts_tags_idx ON public\.posts USING gin \(tags\) \|$/m,
    );
    assert.match(run.stdout, /```mermaid\nerDiagram\n {2}posts \{/);
    assert.match(run.stderr, /1 file\(s\) added, 0 edited, 0 removed; 2 schema change\(s\)/);
  });

  it("--json carries the files and every change; text is one line per object", async () => {
    const base = folder(BASE);
    const head = folder(HEAD);
    const json = await runCli(["diff", "--from", base, "--to", head, "--json"]);
    assert.equal(json.code, 0, json.stderr);
    const body = JSON.parse(json.stdout) as {
      files: { added: string[] };
      changes: { change: string; object: string }[];
    };
    assert.deepEqual(body.files.added, ["0002_post_tags.sql"]);
    assert.deepEqual(
      body.changes.map((c) => `${c.change} ${c.object}`),
      ["added posts.tags", "added posts.posts_tags_idx"],
    );
    const text = await runCli(["diff", "--from", head, "--to", head]);
    assert.equal(text.stdout, "No schema change.\n");
  });

  it("refuses a --from that is neither a folder nor a git commit, in one line", async () => {
    const run = await runCli(["diff", "--from", "no-such-ref-or-folder", "--to", folder(HEAD)]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /'no-such-ref-or-folder' is neither a folder nor a git commit/);
  });
});
