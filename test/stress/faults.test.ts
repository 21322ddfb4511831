/**
 * Faults on both engine paths against a real PostgreSQL: SIGKILL at each statement boundary of a
 * multi-statement migration, the server terminating the runner's backend, and bursts of 40001.
 * After each, the next run recovers, nothing is applied twice, and nothing half-applied is
 * recorded as applied.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Clock } from "../../dbmigrate/clock";
import { Migrator } from "../../dbmigrate/runner";
import { loadMigrations } from "../../dbmigrate/migrations";
import { runCli, startCli } from "../support/cli";
import { connectTo } from "../support/engine";
import { failTimes, instrument } from "../support/faults";
import { databaseOf, startPostgres, waitForDbmigrateQuery, type TestPostgres } from "../support/postgres";
import { migrationsDir } from "../support/temp";

let pg: TestPostgres;
before(async () => {
  pg = await startPostgres();
});
after(() => pg?.stop());

// Three DDL statements with a distinguishable pause at each of the two boundaries between them.
const FAULTY = {
  "0900_faults.sql": [
    "CREATE TABLE fault_a (id UUID PRIMARY KEY DEFAULT gen_random_uuid());",
    "SELECT pg_sleep(1.01);",
    "CREATE TABLE fault_b (id UUID PRIMARY KEY DEFAULT gen_random_uuid());",
    "SELECT pg_sleep(1.02);",
    "CREATE TABLE fault_c (id UUID PRIMARY KEY DEFAULT gen_random_uuid());",
    "",
  ].join("\n"),
};

const faultTables = async (db: string) =>
  (
    await pg.query<{ t: string }>(
      db,
      `SELECT table_name AS t FROM information_schema.tables WHERE table_name LIKE 'fault_%' ORDER BY 1`,
    )
  ).map((r) => r.t);
const recorded = async (db: string) =>
  pg.query<{ dirty: boolean; n: string }>(
    db,
    `SELECT dirty, count(*) OVER () AS n FROM schema_migrations WHERE version = 900`,
  );
const audited = async (db: string) =>
  Number(
    (
      await pg.query<{ n: string }>(
        db,
        `SELECT count(*) AS n FROM audit_logs WHERE resource_id = '0900_faults.sql' AND action = 'schema.migrate'`,
      )
    )[0].n,
  );

/** A migrated database and a folder with the faulty migration; the CLI's env for it. */
async function setup(engine: "postgres" | "cockroachdb") {
  const dsn = await pg.createDatabase();
  const dir = migrationsDir(FAULTY);
  const env = { DATABASE_URL: dsn, DBMIGRATE_ENGINE: engine };
  assert.equal((await runCli(["up"], env)).code, 0);
  return {
    dsn,
    db: databaseOf(dsn),
    dir,
    env,
    args: ["--migrations-dir", dir, "--lock-lease", "1000", "--lock-timeout", "20000"],
  };
}

describe("faults", () => {
  for (const boundary of [1, 2]) {
    it(`PostgreSQL path: SIGKILL at statement boundary ${boundary} leaves nothing of the migration; the next run applies it once`, async () => {
      const { db, env, args } = await setup("postgres");
      const { child, done } = startCli(["up", ...args], env);
      // On PostgreSQL the file goes to the server as one query: the kill lands while it runs.
      const pid = await waitForDbmigrateQuery(pg, db, `%SELECT pg_sleep(1.0${boundary})%`);
      child.kill("SIGKILL");
      await done;
      // The killed client's backend would notice only when its sleep ends; the server ends it now.
      await pg.query(db, "SELECT pg_terminate_backend($1)", [pid]);
      assert.deepEqual(await faultTables(db), []);
      assert.deepEqual(await recorded(db), []);
      const rerun = await runCli(["up", ...args], env);
      assert.equal(rerun.code, 0, rerun.stderr);
      assert.deepEqual(await faultTables(db), ["fault_a", "fault_b", "fault_c"]);
      assert.deepEqual(await recorded(db), [{ dirty: false, n: "1" }]);
      assert.equal(await audited(db), 1);
    });

    it(`CockroachDB path: SIGKILL at statement boundary ${boundary} leaves it dirty, never applied; resolved, it applies once`, async () => {
      const { db, env, args } = await setup("cockroachdb");
      const { child, done } = startCli(["up", ...args], env);
      await waitForDbmigrateQuery(pg, db, `SELECT pg_sleep(1.0${boundary})`);
      child.kill("SIGKILL");
      await done;
      const committed = ["fault_a", "fault_b"].slice(0, boundary);
      assert.deepEqual(await faultTables(db), committed, "each statement before the boundary committed on its own");
      assert.deepEqual(await recorded(db), [{ dirty: true, n: "1" }], "dirty, not applied");
      const blocked = await runCli(["up", ...args], env);
      assert.equal(blocked.code, 1);
      assert.match(
        blocked.stderr,
        /0900_faults.sql is dirty at statement \d of 5 .*whether statement \d took effect is unknown/,
      );
      assert.deepEqual(await faultTables(db), committed, "the blocked run changed nothing");
      for (const table of committed) await pg.query(db, `DROP TABLE ${table}`);
      assert.equal((await runCli(["resolve", "0900", "--rolled-back", ...args], env)).code, 0);
      const rerun = await runCli(["up", ...args], env);
      assert.equal(rerun.code, 0, rerun.stderr);
      assert.deepEqual(await faultTables(db), ["fault_a", "fault_b", "fault_c"]);
      assert.deepEqual(await recorded(db), [{ dirty: false, n: "1" }]);
      assert.equal(await audited(db), 1);
    });
  }

  for (const engine of ["postgres", "cockroachdb"] as const) {
    it(`${engine} path: the server terminating the runner's backend gives one clear line, and the next run recovers`, async () => {
      const { db, env, args } = await setup(engine);
      const { done } = startCli(["up", ...args], env);
      const pid = await waitForDbmigrateQuery(
        pg,
        db,
        engine === "postgres" ? "%SELECT pg_sleep(1.01)%" : "SELECT pg_sleep(1.01)",
      );
      await pg.query(db, "SELECT pg_terminate_backend($1)", [pid]);
      const run = await done;
      assert.equal(run.code, 1);
      const errors = run.stderr.split("\n").filter((l) => l.startsWith("dbmigrate:"));
      assert.equal(errors.length, 1, run.stderr);
      // PostgreSQL gets the file as one query, so which statement was running is not known.
      const where = engine === "postgres" ? "failed" : "failed at line 2";
      assert.match(
        errors[0],
        new RegExp(
          `^dbmigrate: migration 0900_faults.sql ${where}: terminating connection due to administrator command .*\\[SQLSTATE 57P01\\]\\. `,
        ),
      );
      if (engine === "postgres") {
        assert.match(errors[0], /Nothing of it was applied \(it ran in one transaction, sent as one query/);
        assert.deepEqual(await faultTables(db), []);
      } else {
        assert.match(
          errors[0],
          /The outcome is unknown \(the connection was lost .*\); the migration stays dirty at statement 2 of 5/,
        );
        await pg.query(db, "DROP TABLE fault_a");
        assert.equal((await runCli(["resolve", "0900", "--rolled-back", ...args], env)).code, 0);
      }
      const rerun = await runCli(["up", ...args], env);
      assert.equal(rerun.code, 0, rerun.stderr);
      assert.deepEqual(await recorded(db), [{ dirty: false, n: "1" }]);
    });
  }

  it("bursts of 40001 on many statements are retried until the migration succeeds, each statement applied once", async () => {
    const dsn = await pg.createDatabase();
    const sleeps: number[] = [];
    const clock: Clock = { now: () => Date.now(), sleep: async (ms) => void sleeps.push(ms) };
    const log: string[] = [];
    const tables = ["customers", "sites", "domains", "users", "posts", "audit_logs"];
    const rules = tables.map((t) => failTimes(new RegExp(`^CREATE TABLE ${t} `), "40001", 3));
    const migrator = new Migrator({
      connect: instrument(await connectTo(dsn), log, rules),
      engine: "cockroachdb",
      clock,
    });
    const result = await migrator.up();
    const files = await loadMigrations("migrations");
    assert.equal(result.applied.length, files.length);
    assert.equal(sleeps.length, tables.length * 3);
    for (const t of tables)
      assert.equal(
        log.filter((q) => q.startsWith(`CREATE TABLE ${t} `)).length,
        4,
        `${t}: three failures, one success`,
      );
    const history = await pg.query(databaseOf(dsn), `SELECT version, dirty FROM schema_migrations ORDER BY version`);
    assert.deepEqual(
      history,
      files.map((m) => ({ version: String(m.version), dirty: false })),
    );
  });
});
