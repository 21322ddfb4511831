/** docs/schema.md is the diagram `dbmigrate erd` reads from a migrated database's live catalog. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { runCli } from "../support/cli";
import { migratedDatabase } from "../support/engine";
import { startPostgres, type TestPostgres } from "../support/postgres";
import { tempDir } from "../support/temp";

let pg: TestPostgres;
let dsn: string;
before(async () => {
  pg = await startPostgres();
  dsn = await migratedDatabase(pg);
});
after(() => pg?.stop());

describe("dbmigrate erd", () => {
  it("matches the committed docs/schema.md", async () => {
    const out = path.join(tempDir(), "schema.md");
    const run = await runCli(["erd", "--output", out], { DATABASE_URL: dsn });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(
      readFileSync(out, "utf8"),
      readFileSync("docs/schema.md", "utf8"),
      "regenerate with `dbmigrate erd --output docs/schema.md` against a migrated database",
    );
  });

  it("draws every table, its keys, and the tenant relationships", async () => {
    const run = await runCli(["erd"], { DATABASE_URL: dsn });
    assert.match(run.stdout, /^# Schema\n/);
    assert.match(run.stdout, /```mermaid\nerDiagram\n {2}customers \{\n {4}uuid id PK\n/);
    assert.match(run.stdout, /\n {2}sites \|\|--o\{ posts : "posts_site_fkey"\n/);
    assert.match(
      run.stdout,
      /\n {2}sites \|o--o\{ iam_group_mappings : "iam_group_mappings_site_fkey"\n/,
      "an optional site is drawn optional",
    );
    assert.match(run.stdout, /\n {4}uuid customer_id FK\n/);
  });
});
