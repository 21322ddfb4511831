/**
 * Drift object by object on a real PostgreSQL: `up` records the snapshot the migrations made;
 * a change by hand (column added, index dropped, constraint changed, row-level security turned
 * off, default changed) is named by `dbmigrate verify` (exit 1, also in --json) and by `status`.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { readRecordedSnapshot } from "../../../dbmigrate/snapshot";
import { runCli } from "../../support/cli";
import { migratedDatabase, migratorFor, withDb } from "../../support/engine";
import { databaseOf, startPostgres, type TestPostgres } from "../../support/postgres";
import { migrationsDir } from "../../support/temp";

let pg: TestPostgres;
before(async () => {
  pg = await startPostgres();
});
after(() => pg?.stop());

/** Each hand-made change and the line `verify` must print for it. */
const CASES: [string, string, RegExp][] = [
  [
    "column added",
    "ALTER TABLE posts ADD COLUMN tags text[]",
    /schema drift: column posts\.tags exists in the database but the migrations did not make it \(text\[\]\)/,
  ],
  [
    "index dropped",
    "DROP INDEX posts_author_updated_idx",
    /schema drift: index posts\.posts_author_updated_idx was made by the migrations but is gone from the database/,
  ],
  [
    "constraint changed",
    "ALTER TABLE posts DROP CONSTRAINT posts_title_check, ADD CONSTRAINT posts_title_check CHECK (length(title) BETWEEN 1 AND 900)",
    /schema drift: constraint posts\.posts_title_check differs from what the migrations made \(definition CHECK .*500.* → CHECK .*900.*\)/,
  ],
  [
    "row-level security disabled",
    "ALTER TABLE posts DISABLE ROW LEVEL SECURITY",
    /schema drift: table posts differs from what the migrations made \(row-level security on → off\)/,
  ],
  [
    "default changed",
    "ALTER TABLE customers ALTER COLUMN status SET DEFAULT 'closed'",
    /schema drift: column customers\.status differs from what the migrations made \(default 'active'::text → 'closed'::text\)/,
  ],
];

describe("schema drift", () => {
  it("records and checks the engine's schema, whatever schema a DSN's search_path puts first", async () => {
    const dsn = await pg.createDatabase("options=-c%20search_path%3Dapp%2Cpublic");
    const dir = migrationsDir(
      {
        "0001_two_schemas.sql":
          "CREATE SCHEMA app;\nCREATE TABLE public.kept (id int PRIMARY KEY);\nCREATE TABLE app.side (id int PRIMARY KEY);\n",
      },
      false,
    );
    const up = await runCli(["up", "--migrations-dir", dir], { DATABASE_URL: dsn });
    assert.equal(up.code, 0, up.stderr);
    const recorded = await withDb(pg.url(databaseOf(dsn)), (client) => readRecordedSnapshot(client));
    assert.equal(recorded?.snapshot?.schema, "public", "the history's schema, not app");
    await pg.query(databaseOf(dsn), "ALTER TABLE public.kept ADD COLUMN extra int");
    const verify = await runCli(["verify", "--migrations-dir", dir], { DATABASE_URL: dsn });
    assert.equal(verify.code, 1, verify.stderr);
    assert.match(verify.stdout, /schema drift: column kept\.extra exists in the database/);
  });

  it("two ups at once record one snapshot: the one that finds everything applied under the lock records none", async () => {
    const dsn = await migratedDatabase(pg);
    const dir = migrationsDir({ "0900_more.sql": "CREATE TABLE more_things (id INT8 PRIMARY KEY);\n" });
    const rows = () =>
      withDb(dsn, async (c) =>
        Number((await c.query<{ n: string }>("SELECT count(*) AS n FROM schema_snapshots")).rows[0].n),
      );
    const before = await rows();
    const runs = await Promise.all([0, 1].map(async () => (await migratorFor(dsn, { migrationsDir: dir })).up()));
    assert.deepEqual(runs.map((r) => r.applied.length).sort(), [0, 1], "one applied it, the other found it applied");
    assert.equal(await rows(), before + 1);
  });

  it("up records the snapshot the migrations produced; verify and status are clean right after", async () => {
    const dsn = await migratedDatabase(pg);
    const recorded = await withDb(dsn, (client) => readRecordedSnapshot(client));
    assert.ok(recorded?.snapshot, "a snapshot is recorded");
    assert.ok(recorded.snapshot.tables.some((t) => t.name === "posts"));
    assert.ok(!recorded.snapshot.tables.some((t) => t.name.startsWith("schema_")), "without the engine's tables");
    assert.deepEqual(await (await migratorFor(dsn)).verify(), []);
    const status = await runCli(["status", "--json"], { DATABASE_URL: dsn });
    assert.equal(status.code, 0, status.stderr);
    const report = JSON.parse(status.stdout) as { schema: { recordedHash: string; liveHash: string; changes: [] } };
    assert.equal(report.schema.liveHash, report.schema.recordedHash);
    assert.deepEqual(report.schema.changes, []);
  });

  for (const [name, sql, line] of CASES) {
    it(`verify names a ${name} by hand and exits 1`, async () => {
      const dsn = await migratedDatabase(pg);
      await withDb(dsn, (client) => client.query(sql));
      const run = await runCli(["verify"], { DATABASE_URL: dsn });
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stdout, line);
      assert.equal(run.stdout.trim().split("\n").length, 1, `one object named: ${run.stdout}`);
    });
  }

  it("verify --json and status carry the drifted objects", async () => {
    const dsn = await migratedDatabase(pg);
    await withDb(dsn, (client) =>
      client.query("ALTER TABLE posts ADD COLUMN tags text[]; DROP INDEX posts_author_updated_idx"),
    );
    const verify = await runCli(["verify", "--json"], { DATABASE_URL: dsn });
    assert.equal(verify.code, 1);
    const body = JSON.parse(verify.stdout) as { ok: boolean; problems: string[] };
    assert.equal(body.ok, false);
    assert.equal(body.problems.length, 2);
    const status = await runCli(["status", "--json"], { DATABASE_URL: dsn });
    assert.equal(status.code, 1);
    const report = JSON.parse(status.stdout) as {
      schema: { changes: { change: string; kind: string; object: string }[] };
    };
    assert.deepEqual(
      report.schema.changes.map((c) => `${c.change} ${c.kind} ${c.object}`),
      ["added column posts.tags", "dropped index posts.posts_author_updated_idx"],
    );
    const text = await runCli(["status"], { DATABASE_URL: dsn });
    assert.match(text.stdout, /schema: 2 object\(s\) differ from the snapshot recorded/);
    assert.match(text.stderr, /schema drift: column posts\.tags/);
  });
});
