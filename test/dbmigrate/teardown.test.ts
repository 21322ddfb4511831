/**
 * Teardown (ADR 0006) and the ERD read the catalog on a real PostgreSQL: a table, a view and an
 * enum type added by a later migration are drawn and dropped like the product's own; a dry run
 * writes nothing; a running `up` holding the lock makes teardown wait, never race.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { renderErd } from "../../dbmigrate/erd";
import { ENGINE_TABLES } from "../../dbmigrate/engine-schema";
import { readSnapshot, snapshotJson } from "../../dbmigrate/snapshot";
import { runCli } from "../support/cli";
import { migratorFor, withDb } from "../support/engine";
import { startPostgres, type TestPostgres } from "../support/postgres";
import { migrationsDir } from "../support/temp";

// Beyond the product's schema: what a later migration adds, which no hard-coded list knows.
const EXTRA = `CREATE TYPE review_state AS ENUM ('open', 'closed');
CREATE TABLE reviews (id uuid PRIMARY KEY, post_id uuid NOT NULL REFERENCES posts (id), state review_state NOT NULL);
CREATE VIEW open_reviews AS SELECT id, post_id FROM reviews WHERE state = 'open';
`;

let pg: TestPostgres;
before(async () => {
  pg = await startPostgres();
});
after(() => pg?.stop());

/** A database with every project migration plus `extra` applied; its DSN and migrations folder. */
async function migratedWith(extra: Record<string, string>): Promise<{ dsn: string; dir: string }> {
  const dsn = await pg.createDatabase();
  const dir = migrationsDir(extra);
  await (await migratorFor(dsn, { migrationsDir: dir })).up();
  return { dsn, dir };
}

/** Everything in the schema, the engine's tables and the history's rows included. */
async function catalog(dsn: string): Promise<string> {
  return withDb(dsn, async (c) => {
    const history = await c.query(`SELECT version, checksum FROM schema_migrations ORDER BY version`);
    return `${snapshotJson(await readSnapshot(c))}\n${JSON.stringify(history.rows)}`;
  });
}

async function objectsLeft(dsn: string): Promise<string[]> {
  const s = await withDb(dsn, (c) => readSnapshot(c));
  return [...s.tables, ...s.views, ...s.enums, ...s.functions, ...s.sequences].map((o) => o.name);
}

describe("teardown", () => {
  it("drops every object the migrations made, a later migration's table, view and enum too, and the engine's tables", async () => {
    const { dsn, dir } = await migratedWith({ "0100_reviews.sql": EXTRA });
    const result = await (await migratorFor(dsn, { migrationsDir: dir })).teardown();
    assert.ok(result.tables.includes("reviews") && result.tables.includes("customers"), result.tables.join());
    assert.deepEqual(
      result.views.map((v) => v.name),
      ["open_reviews"],
    );
    assert.ok(result.types.includes("review_state"), result.types.join());
    assert.deepEqual([...result.engineTables].sort(), [...ENGINE_TABLES].sort());
    assert.deepEqual(await objectsLeft(dsn), []);
    const engine = await withDb(dsn, (c) =>
      c.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`),
    );
    assert.deepEqual(engine.rows, [], "no engine table is left either");
  });

  it("on the CockroachDB path (statement by statement, no transaction) leaves nothing either", async () => {
    const { dsn, dir } = await migratedWith({ "0100_reviews.sql": EXTRA });
    const result = await (await migratorFor(dsn, { migrationsDir: dir, engine: "cockroachdb" })).teardown();
    assert.ok(result.tables.includes("reviews"));
    assert.deepEqual(await objectsLeft(dsn), []);
  });

  it("stops, dropping nothing, when an object outside the schema depends on one of its objects (no CASCADE)", async () => {
    const { dsn, dir } = await migratedWith({ "0100_reviews.sql": EXTRA });
    await withDb(dsn, (c) => c.query(`CREATE SCHEMA reports; CREATE VIEW reports.r AS SELECT id FROM public.reviews`));
    const before = await catalog(dsn);
    await assert.rejects((await migratorFor(dsn, { migrationsDir: dir })).teardown(), { code: "2BP01" });
    assert.equal(await catalog(dsn), before, "one transaction: nothing dropped, the lock released");
  });

  it("says nothing is left to drop in a schema without a history, and drops nothing there", async () => {
    const dsn = await pg.createDatabase();
    await withDb(dsn, (c) => c.query(`CREATE TABLE not_ours (id int)`));
    const result = await (await migratorFor(dsn)).teardown();
    assert.equal(result.hadHistory, false);
    assert.deepEqual(await objectsLeft(dsn), ["not_ours"]);
  });

  it("refuses another tool's schema_migrations (golang-migrate's), dry run or not, and drops nothing", async () => {
    const dsn = await pg.createDatabase();
    await withDb(dsn, (c) =>
      c.query(`CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, dirty BOOLEAN NOT NULL)`),
    );
    for (const dryRun of [true, false]) {
      await assert.rejects((await migratorFor(dsn)).teardown({ dryRun }), /exists but is not dbmigrate's history/);
    }
    assert.deepEqual(await objectsLeft(dsn), ["schema_migrations"]);
  });

  it("in a dry run lists what it would drop and changes nothing", async () => {
    const { dsn, dir } = await migratedWith({ "0100_reviews.sql": EXTRA });
    const before = await catalog(dsn);
    const result = await (await migratorFor(dsn, { migrationsDir: dir })).teardown({ dryRun: true });
    assert.equal(result.dryRun, true);
    assert.ok(result.tables.includes("reviews"));
    assert.deepEqual(
      result.views.map((v) => v.name),
      ["open_reviews"],
    );
    assert.equal(await catalog(dsn), before);
  });

  it("waits for an `up` holding the migration lock, refuses at the wait timeout, and drops what that up made after it", async () => {
    const { dsn, dir } = await migratedWith({});
    // A slow migration: the up holds the lock while it runs.
    const slow = migrationsDir({
      "0100_slow.sql": `SELECT pg_sleep(3);\nCREATE TABLE late_arrival (id int PRIMARY KEY);\n`,
    });
    const up = (await migratorFor(dsn, { migrationsDir: slow })).up();
    await until(async () =>
      withDb(dsn, async (c) => (await c.query(`SELECT 1 FROM schema_migrations_lock`)).rows.length > 0),
    );
    await assert.rejects(
      (await migratorFor(dsn, { migrationsDir: dir, lock: { waitTimeoutMs: 500, pollIntervalMs: 50 } })).teardown(),
      /timed out after 500 ms waiting for the migration lock held by .*, running `dbmigrate up`/,
    );
    await up;
    assert.ok((await objectsLeft(dsn)).includes("late_arrival"), "the refused teardown dropped nothing");
    const result = await (
      await migratorFor(dsn, { migrationsDir: dir, lock: { waitTimeoutMs: 10_000, pollIntervalMs: 50 } })
    ).teardown();
    assert.ok(result.tables.includes("late_arrival"));
    assert.deepEqual(await objectsLeft(dsn), []);
  });
});

describe("erd", () => {
  it("draws every table in the catalog, a later migration's too, and none of the engine's", async () => {
    const { dsn } = await migratedWith({ "0100_reviews.sql": EXTRA });
    const erd = await withDb(dsn, (c) => renderErd(c));
    assert.match(erd, /\n {2}reviews \{\n/);
    assert.match(erd, /\n {2}posts \|\|--o\{ reviews : "reviews_post_id_fkey"\n/);
    for (const table of ENGINE_TABLES) assert.doesNotMatch(erd, new RegExp(`\\n {2}${table} \\{`));
  });
});

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error("the up never took the lock");
}

describe("dbmigrate teardown", () => {
  it("refuses without --force or --dry-run (exit 2), lists under --dry-run --json, drops under --force", async () => {
    const { dsn } = await migratedWith({});
    const bare = await runCli(["teardown"], { DATABASE_URL: dsn });
    assert.equal(bare.code, 2, bare.stderr);
    assert.match(bare.stderr, /teardown drops every object of the schema and its data: nothing was dropped/);
    const before = await catalog(dsn);
    const dry = await runCli(["teardown", "--dry-run", "--json"], { DATABASE_URL: dsn });
    assert.equal(dry.code, 0, dry.stderr);
    const listed = JSON.parse(dry.stdout) as { dryRun: boolean; tables: string[] };
    assert.equal(listed.dryRun, true);
    assert.ok(listed.tables.includes("customers"));
    assert.equal(await catalog(dsn), before);
    const run = await runCli(["teardown", "--force"], { DATABASE_URL: dsn });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^dropped in schema public: \d+ tables \(.*customers.*\), .*3 engine tables/m);
    assert.deepEqual(await objectsLeft(dsn), []);
  });
});
