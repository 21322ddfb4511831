/**
 * A change to the migrations folder as a schema change, on a real PostgreSQL: the base (a folder
 * or the folder at a git ref) and the head applied to throwaway databases, compared by object.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { createConnect } from "../../../dbmigrate/connection";
import { folderAtRef } from "../../../dbmigrate/scratch/git-folder";
import { schemaChange } from "../../../dbmigrate/scratch/schema-change";
import type { ScratchDatabases } from "../../../dbmigrate/snapshot/folder-diff";
import { databaseOf, startPostgres, type TestPostgres } from "../../support/postgres";
import { tempDir } from "../../support/temp";

let pg: TestPostgres;
before(async () => {
  pg = await startPostgres();
});
after(() => pg?.stop());

const scratch = (): ScratchDatabases => ({
  async create() {
    const dsn = await pg.createDatabase();
    return {
      connect: await createConnect({ dsn }),
      drop: async () => void (await pg.query("postgres", `DROP DATABASE ${databaseOf(dsn)}`)),
    };
  },
});

function folder(files: Record<string, string>): string {
  const dir = tempDir("migrations-");
  for (const [name, sql] of Object.entries(files)) writeFileSync(path.join(dir, name), sql);
  return dir;
}

const BASE = { "0001_posts.sql": "CREATE TABLE posts (id uuid PRIMARY KEY, title text NOT NULL);\n" };
const ADDED = {
  "0002_post_tags.sql":
    "ALTER TABLE posts ADD COLUMN tags text[] NOT NULL DEFAULT '{}';\nCREATE INDEX posts_tags_idx ON posts USING gin (tags);\n",
};

describe("schema change of a migrations folder", () => {
  it("names the added file and each object it changes (base and head as folders)", async () => {
    const result = await schemaChange({ from: folder(BASE), to: folder({ ...BASE, ...ADDED }), scratch: scratch() });
    assert.deepEqual(
      result.files.added.map((m) => m.file),
      ["0002_post_tags.sql"],
    );
    assert.deepEqual(result.files.edited, []);
    assert.deepEqual(
      result.diff.changes.map((c) => `${c.change} ${c.kind} ${c.object}`),
      ["added column posts.tags", "added index posts.posts_tags_idx"],
    );
    assert.ok(!result.head.tables.some((t) => t.name.startsWith("schema_")), "the engine's tables are left out");
  });

  it("takes the base from a git ref (git archive), an empty base when the folder did not exist there", async () => {
    const repo = tempDir("repo-");
    const git = (...args: string[]) =>
      execFileSync("git", ["-c", "user.email=t@example.com", "-c", "user.name=t", ...args], { cwd: repo });
    git("init", "-q");
    writeFileSync(path.join(repo, "README"), "x\n");
    git("add", ".");
    git("commit", "-qm", "no migrations yet");
    mkdirSync(path.join(repo, "db", "migrations"), { recursive: true });
    writeFileSync(path.join(repo, "db", "migrations", "0001_posts.sql"), BASE["0001_posts.sql"]);
    git("add", ".");
    git("commit", "-qm", "first migration");
    writeFileSync(path.join(repo, "db", "migrations", "0002_post_tags.sql"), ADDED["0002_post_tags.sql"]);

    const empty = await folderAtRef("HEAD~1", "db/migrations", repo);
    assert.deepEqual(execFileSync("ls", ["-A", empty.dir], { encoding: "utf8" }), "");
    empty.cleanup();
    const atHead = await folderAtRef("HEAD", "migrations", path.join(repo, "db"));
    assert.deepEqual(execFileSync("ls", [atHead.dir], { encoding: "utf8" }), "0001_posts.sql\n");
    atHead.cleanup();

    const cwd = process.cwd();
    process.chdir(repo);
    try {
      const result = await schemaChange({ from: "HEAD", to: "db/migrations", scratch: scratch() });
      assert.equal(result.from, "HEAD:db/migrations");
      assert.deepEqual(
        result.diff.changes.map((c) => `${c.change} ${c.kind} ${c.object}`),
        ["added column posts.tags", "added index posts.posts_tags_idx"],
      );
    } finally {
      process.chdir(cwd);
    }
    await assert.rejects(
      folderAtRef("no-such-ref", "db/migrations", repo),
      /'no-such-ref' is neither a folder nor a git commit/,
    );
  });
});
