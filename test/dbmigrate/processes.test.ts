/**
 * Separate `dbmigrate` processes against one real PostgreSQL: concurrent runs apply each
 * migration once; a runner killed with SIGKILL mid-migration leaves a database the next run
 * handles (PostgreSQL: nothing half-applied; CockroachDB path: dirty, reported, resolvable).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { runCli, startCli } from "../support/cli";
import { databaseOf, startPostgres, waitForDbmigrateQuery, type TestPostgres } from "../support/postgres";
import { migrationsDir } from "../support/temp";

let pg: TestPostgres;
before(async () => {
  pg = await startPostgres();
});
after(() => pg?.stop());

const SLOW = {
  "0900_slow.sql":
    "CREATE TABLE slow_a (id UUID PRIMARY KEY DEFAULT gen_random_uuid());\nSELECT pg_sleep(2);\nCREATE TABLE slow_b (id UUID PRIMARY KEY DEFAULT gen_random_uuid());\n",
};

const tablesOf = async (database: string) =>
  (
    await pg.query<{ t: string }>(
      database,
      `SELECT table_name AS t FROM information_schema.tables WHERE table_name LIKE 'slow_%' ORDER BY 1`,
    )
  ).map((r) => r.t);

describe("dbmigrate processes", () => {
  it("eight `up` at once apply each migration exactly once", async () => {
    const dsn = await pg.createDatabase();
    const runs = await Promise.all(
      Array.from({ length: 8 }, () => runCli(["up", "--lock-timeout", "60000"], { DATABASE_URL: dsn })),
    );
    for (const run of runs) assert.equal(run.code, 0, run.stderr);
    const db = databaseOf(dsn);
    const history = await pg.query<{ version: string; n: string }>(
      db,
      `SELECT version, count(*) AS n FROM schema_migrations GROUP BY version ORDER BY version`,
    );
    assert.deepEqual(
      history.map((r) => [r.version, r.n]),
      [
        ["1", "1"],
        ["2", "1"],
      ],
    );
    const audit = await pg.query<{ n: string }>(
      db,
      `SELECT count(*) AS n FROM audit_logs WHERE action = 'schema.migrate'`,
    );
    assert.equal(audit[0].n, "2");
    const customers = await pg.query<{ n: string }>(db, `SELECT count(*) AS n FROM customers`);
    assert.equal(customers[0].n, "1");
    assert.equal(runs.filter((r) => /applied 0001_complete_schema.sql/.test(r.stdout)).length, 1);
  });

  it("PostgreSQL path: SIGKILL mid-migration leaves nothing half-applied, and the next run takes over the lock and applies it once", async () => {
    const dsn = await pg.createDatabase();
    const db = databaseOf(dsn);
    const dir = migrationsDir(SLOW);
    const { child, done } = startCli(["up", "--migrations-dir", dir, "--lock-lease", "1000"], { DATABASE_URL: dsn });
    await waitForDbmigrateQuery(pg, db, "SELECT pg_sleep(2)");
    child.kill("SIGKILL");
    assert.equal((await done).signal, "SIGKILL");
    assert.deepEqual(await tablesOf(db), [], "slow_a was not committed");
    const history = await pg.query<{ version: string }>(db, `SELECT version FROM schema_migrations ORDER BY version`);
    assert.deepEqual(
      history.map((r) => r.version),
      ["1", "2"],
    );
    const lock = await pg.query(db, `SELECT owner FROM schema_migrations_lock`);
    assert.equal(lock.length, 1, "the dead runner's lock row is still there");
    const rerun = await runCli(["up", "--migrations-dir", dir, "--lock-lease", "1000"], { DATABASE_URL: dsn });
    assert.equal(rerun.code, 0, rerun.stderr);
    assert.match(rerun.stdout, /^applied 0900_slow.sql/m);
    assert.deepEqual(await tablesOf(db), ["slow_a", "slow_b"]);
    const again = await pg.query<{ n: string }>(
      db,
      `SELECT count(*) AS n FROM schema_migrations WHERE version = 900 AND NOT dirty`,
    );
    assert.equal(again[0].n, "1");
  });

  it("CockroachDB path: SIGKILL mid-migration leaves it dirty; the next run reports it, and resolve lets it run again", async () => {
    const dsn = await pg.createDatabase();
    const db = databaseOf(dsn);
    const dir = migrationsDir(SLOW);
    const env = { DATABASE_URL: dsn, DBMIGRATE_ENGINE: "cockroachdb" };
    const { child, done } = startCli(["up", "--migrations-dir", dir, "--lock-lease", "1000"], env);
    await waitForDbmigrateQuery(pg, db, "SELECT pg_sleep(2)");
    child.kill("SIGKILL");
    await done;
    assert.deepEqual(await tablesOf(db), ["slow_a"], "each statement committed on its own");
    const status = await runCli(["status", "--json", "--migrations-dir", dir], env);
    assert.equal(JSON.parse(status.stdout).migrations.find((m) => m.version === 900)!.state, "dirty");
    const blocked = await runCli(["up", "--migrations-dir", dir], env);
    assert.equal(blocked.code, 1);
    assert.match(
      blocked.stderr,
      /0900_slow.sql started at .* and did not finish: check which of its statements took effect, then run `dbmigrate resolve 0900 --applied` if all did, or `--rolled-back` after undoing them/,
    );
    await pg.query(db, "DROP TABLE slow_a");
    const resolved = await runCli(
      ["resolve", "0900", "--rolled-back", "--migrations-dir", dir, "--lock-timeout", "10000"],
      env,
    );
    assert.equal(resolved.code, 0, resolved.stderr);
    const rerun = await runCli(["up", "--migrations-dir", dir], env);
    assert.equal(rerun.code, 0, rerun.stderr);
    assert.deepEqual(await tablesOf(db), ["slow_a", "slow_b"]);
  });
});
