/**
 * Separate `dbmigrate` processes against one real PostgreSQL: concurrent runs apply each
 * migration once; a runner killed with SIGKILL mid-migration leaves a database the next run
 * handles (PostgreSQL: nothing half-applied; CockroachDB path: dirty, reported, resolvable).
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { loadMigrations } from "../../dbmigrate/migrations";
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

/** How many finished history rows 0900 has (as text). */
const finishedRows = async (database: string) =>
  (
    await pg.query<{ n: string }>(
      database,
      `SELECT count(*) AS n FROM schema_migrations WHERE version = 900 AND NOT dirty`,
    )
  )[0].n;

describe("dbmigrate processes", () => {
  for (const engine of ["postgres", "cockroachdb"] as const) {
    it(`${engine} path: eight \`up\` at once with a slow migration apply each migration exactly once, all exit 0`, async () => {
      const dsn = await pg.createDatabase();
      const dir = migrationsDir(SLOW);
      const env = { DATABASE_URL: dsn, DBMIGRATE_ENGINE: engine };
      const runs = await Promise.all(
        Array.from({ length: 8 }, () => runCli(["up", "--migrations-dir", dir, "--lock-timeout", "60000"], env)),
      );
      for (const run of runs) assert.equal(run.code, 0, run.stderr);
      const db = databaseOf(dsn);
      const history = await pg.query<{ version: string; n: string; dirty: boolean }>(
        db,
        `SELECT version, count(*) AS n, bool_or(dirty) AS dirty FROM schema_migrations GROUP BY version ORDER BY version`,
      );
      const files = await loadMigrations(dir);
      assert.deepEqual(
        history.map((r) => [r.version, r.n, r.dirty]),
        files.map((m) => [String(m.version), "1", false]),
      );
      const audit = await pg.query<{ n: string }>(
        db,
        `SELECT count(*) AS n FROM audit_logs WHERE action = 'schema.migrate'`,
      );
      assert.equal(audit[0].n, String(files.length));
      const customers = await pg.query<{ n: string }>(db, `SELECT count(*) AS n FROM customers`);
      assert.equal(customers[0].n, "1");
      assert.equal(runs.filter((r) => /applied 0900_slow.sql/.test(r.stdout)).length, 1);
      assert.deepEqual(await tablesOf(db), ["slow_a", "slow_b"]);
    });

    it(`${engine} path: the lock connection terminated mid-migration stops the runner before its next statement; the next run finishes the work once`, async () => {
      const dsn = await pg.createDatabase();
      const db = databaseOf(dsn);
      const dir = migrationsDir(SLOW);
      const env = { DATABASE_URL: dsn, DBMIGRATE_ENGINE: engine };
      assert.equal((await runCli(["up"], env)).code, 0);
      const { done } = startCli(["up", "--migrations-dir", dir, "--lock-lease", "600"], env);
      // PostgreSQL gets the file as one query; CockroachDB statement by statement.
      await waitForDbmigrateQuery(pg, db, engine === "postgres" ? "%SELECT pg_sleep(2)%" : "SELECT pg_sleep(2)");
      const lockSession = await waitForDbmigrateQuery(pg, db, "UPDATE %schema_migrations_lock%");
      await pg.query(db, "SELECT pg_terminate_backend($1)", [lockSession]);
      const run = await done;
      assert.equal(run.code, 1, run.stderr);
      const errors = run.stderr.split("\n").filter((l) => l.startsWith("dbmigrate:"));
      assert.equal(errors.length, 1, run.stderr);
      // One query on PostgreSQL: its statements ran, and the lease check before recording stops it (rolled back).
      const stopped = engine === "postgres" ? "stopped before recording it" : "stopped before statement 3 of 3";
      assert.match(
        errors[0],
        new RegExp(
          `^dbmigrate: 0900_slow.sql: ${stopped}: lost the migration lock \\(("public"\\.)?schema_migrations_lock 'dbmigrate'`,
        ),
      );
      assert.deepEqual(await tablesOf(db), engine === "postgres" ? [] : ["slow_a"], "slow_b never ran");
      const rerun = await runCli(
        ["up", "--migrations-dir", dir, "--lock-lease", "600", "--lock-timeout", "20000"],
        env,
      );
      assert.equal(rerun.code, 0, rerun.stderr);
      assert.deepEqual(await tablesOf(db), ["slow_a", "slow_b"]);
      assert.equal(await finishedRows(db), "1");
      const audit = await pg.query<{ n: string }>(
        db,
        `SELECT count(*) AS n FROM audit_logs WHERE resource_id = '0900_slow.sql'`,
      );
      assert.equal(audit[0].n, "1");
    });
  }

  it("PostgreSQL path: SIGKILL mid-migration leaves nothing half-applied, and the next run takes over the lock and applies it once", async () => {
    const dsn = await pg.createDatabase();
    const db = databaseOf(dsn);
    const dir = migrationsDir(SLOW);
    const { child, done } = startCli(["up", "--migrations-dir", dir, "--lock-lease", "1000"], { DATABASE_URL: dsn });
    // The file goes to PostgreSQL as one query.
    await waitForDbmigrateQuery(pg, db, "%SELECT pg_sleep(2)%");
    child.kill("SIGKILL");
    assert.equal((await done).signal, "SIGKILL");
    assert.deepEqual(await tablesOf(db), [], "slow_a was not committed");
    const history = await pg.query<{ version: string }>(db, `SELECT version FROM schema_migrations ORDER BY version`);
    assert.deepEqual(
      history.map((r) => r.version),
      (await loadMigrations("migrations")).map((m) => String(m.version)),
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
    assert.equal(
      JSON.parse(status.stdout).migrations.find((m: { version: number }) => m.version === 900).state,
      "dirty",
    );
    const blocked = await runCli(["up", "--migrations-dir", dir], env);
    assert.equal(blocked.code, 1);
    assert.match(
      blocked.stderr,
      /0900_slow.sql is dirty at statement 2 of 3 \(.*0900_slow.sql:2\): .*whether statement 2 took effect is unknown: check it .*then run `dbmigrate resolve 0900 --applied` if every statement took effect, or `--rolled-back` after undoing the ones that did/,
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

  /** Statement 2 would sleep for 30 s: a stop that did not cancel it would be plain from the message and the time. */
  const LONG = {
    "0900_slow.sql":
      "CREATE TABLE slow_a (id UUID PRIMARY KEY DEFAULT gen_random_uuid());\nSELECT pg_sleep(30);\nCREATE TABLE slow_b (id UUID PRIMARY KEY DEFAULT gen_random_uuid());\n",
  };
  const cases = [
    ["postgres", "SIGINT", 130],
    ["postgres", "SIGTERM", 143],
    ["cockroachdb", "SIGINT", 130],
    ["cockroachdb", "SIGTERM", 143],
  ] as const;
  for (const [engine, signal, exit] of cases) {
    it(`${engine} path: ${signal} mid-statement cancels it, records a clean stop, releases the lock, says one line, exits ${exit}; the next \`up\` goes on without resolve`, async () => {
      const dsn = await pg.createDatabase();
      const db = databaseOf(dsn);
      const dir = migrationsDir(LONG);
      const env = { DATABASE_URL: dsn, DBMIGRATE_ENGINE: engine };
      const { child, done } = startCli(["up", "--migrations-dir", dir], env);
      await waitForDbmigrateQuery(pg, db, "%SELECT pg_sleep(30)%");
      child.kill(signal);
      const run = await done;
      assert.equal(run.code, exit, run.stderr);
      const lines = run.stderr.split("\n").filter((l) => l.startsWith("dbmigrate:"));
      assert.equal(lines.length, 1, run.stderr);
      assert.equal(run.stderr.trimEnd().split("\n").at(-1), lines[0], "the stop is the last line");
      assert.equal((await pg.query(db, `SELECT owner FROM schema_migrations_lock`)).length, 0, "lock released");
      const rows = await pg.query<{ dirty: boolean; statements_done: string; failed_statement: string | null }>(
        db,
        `SELECT dirty, statements_done, failed_statement FROM schema_migrations WHERE version = 900`,
      );
      if (engine === "postgres") {
        assert.match(
          lines[0],
          new RegExp(
            `^dbmigrate: stopped on ${signal}: 0900_slow.sql was cancelled and rolled back \\(nothing of it applied\\); the lock is released .*Run \`dbmigrate up\` to apply it again$`,
          ),
        );
        assert.deepEqual(rows, [], "nothing recorded");
        assert.deepEqual(await tablesOf(db), [], "slow_a rolled back");
      } else {
        assert.match(
          lines[0],
          new RegExp(
            `^dbmigrate: stopped on ${signal}: 0900_slow.sql stopped cleanly after 1 of 3 statements \\(recorded\\); the lock is released .*Run \`dbmigrate up\`: it resumes at statement 2 \\(no \`resolve\` needed\\)$`,
          ),
        );
        assert.deepEqual(rows, [{ dirty: true, statements_done: "1", failed_statement: "2" }]);
        assert.deepEqual(await tablesOf(db), ["slow_a"]);
        const status = await runCli(["status", "--migrations-dir", dir], env);
        assert.equal(status.code, 0, status.stdout + status.stderr);
        assert.match(status.stdout, /0900_slow.sql +dirty .*`dbmigrate up` resumes there/);
      }
      // The fixed file (a shorter sleep) is what anyone runs next; statement 1 is unchanged.
      writeFileSync(path.join(dir, "0900_slow.sql"), LONG["0900_slow.sql"].replace("pg_sleep(30)", "pg_sleep(0)"));
      const rerun = await runCli(["up", "--migrations-dir", dir], env);
      assert.equal(rerun.code, 0, rerun.stderr);
      assert.deepEqual(await tablesOf(db), ["slow_a", "slow_b"]);
      assert.equal(await finishedRows(db), "1");
    });
  }
});
