/** The lease lock on a real PostgreSQL: waiting, timing out, taking over an expired lease, renewal. */
import assert from "node:assert/strict";
import * as os from "node:os";
import { loadMigrations } from "../../dbmigrate/migrations";
import { after, before, describe, it } from "node:test";
import { acquireLock, DEFAULT_LOCK, LOCK_NAME } from "../../dbmigrate/lock";
import { engineSchema } from "../../dbmigrate/engine-schema";
import { systemClock } from "../../dbmigrate/clock";
import { DEFAULT_RETRY } from "../../dbmigrate/retry";
import { runCli, startCli } from "../support/cli";
import { connectTo, migratorFor, recordingLogger, withDb } from "../support/engine";
import { databaseOf, startPostgres, waitForDbmigrateQuery, type TestPostgres } from "../support/postgres";
import { migrationsDir } from "../support/temp";

let pg: TestPostgres;
before(async () => {
  pg = await startPostgres();
});
after(() => pg?.stop());

/** What {@link acquireLock} needs, on `dsn`'s database, with the lock table in `public`. */
async function lockDeps(dsn: string) {
  return {
    connect: await connectTo(dsn),
    clock: systemClock,
    logger: recordingLogger(),
    retry: DEFAULT_RETRY,
    schema: engineSchema("public", false),
  };
}

/** Leaves a lock row behind as a killed process would: owned by `owner`, leased for `leaseMs`. */
async function plantLock(dsn: string, owner: string, leaseMs: number): Promise<void> {
  const deps = await lockDeps(dsn);
  await (await acquireLock("setup:0:0000", DEFAULT_LOCK, deps)).release(); // creates the table
  await withDb(dsn, (c) =>
    c.query(
      `INSERT INTO schema_migrations_lock (name, owner, lease_expires_at) VALUES ($1, $2, now() + ($3::INT8 * INTERVAL '1 millisecond'))`,
      [LOCK_NAME, owner, leaseMs],
    ),
  );
}

describe("migration lock", () => {
  it("makes a second runner wait, saying for whom, and proceed once the dead holder's lease expires", async () => {
    const dsn = await pg.createDatabase();
    await plantLock(dsn, "dead-host:1234:abcd", 4000);
    const logger = recordingLogger();
    const started = Date.now();
    const result = await (
      await migratorFor(dsn, { logger, lock: { waitTimeoutMs: 10_000, pollIntervalMs: 100 } })
    ).up();
    const waited = Date.now() - started;
    assert.equal(result.applied.length, (await loadMigrations("migrations")).length);
    assert.ok(waited >= 1000, `proceeded after ${waited} ms, before the lease ended`);
    assert.match(
      logger.lines[0],
      /^waiting for the migration lock held by dead-host:1234:abcd \(lease (until|expired at) .*\)$/,
    );
    const rows = await withDb(dsn, (c) => c.query(`SELECT * FROM schema_migrations_lock`));
    assert.equal(rows.rowCount, 0, "released after the run");
  });

  it("gives up after the wait limit with one clear line, changing nothing; status shows the holder", async () => {
    const dsn = await pg.createDatabase();
    await plantLock(dsn, "busy-host:1:feed", 60_000);
    const status = await (await migratorFor(dsn)).status();
    assert.equal(status.lock?.owner, "busy-host:1:feed");
    assert.ok(status.lock!.leaseExpiresAt.getTime() > Date.now());
    const printed = await runCli(["status"], { DATABASE_URL: dsn });
    assert.match(printed.stdout, /\nlock: held by busy-host:1:feed \(lease until \d{4}-\d\d-\d\dT[\d:.]+Z\)\n/);
    await assert.rejects(
      (await migratorFor(dsn, { lock: { waitTimeoutMs: 300, pollIntervalMs: 50 } })).up(),
      (error: Error & { describe(): string }) => {
        assert.match(
          error.describe(),
          /^timed out after 300 ms waiting for the migration lock held by busy-host:1:feed \(lease until .*\)\. Wait for that run to finish, or if it died, for its lease to expire \(`dbmigrate unlock` shows it; `unlock --force` breaks it once you know it is dead\); raise --lock-timeout to wait longer$/,
        );
        return true;
      },
    );
    const tables = await withDb(dsn, (c) =>
      c.query(`SELECT 1 FROM information_schema.tables WHERE table_name = 'customers'`),
    );
    assert.equal(tables.rowCount, 0);
  });

  it("status shows an expired lease as expired, not as held until a past time", async () => {
    const dsn = await pg.createDatabase();
    await plantLock(dsn, "dead-host:9:dead", -5000);
    const status = await (await migratorFor(dsn)).status();
    assert.equal(status.lock?.expired, true);
    const printed = await runCli(["status"], { DATABASE_URL: dsn });
    assert.match(printed.stdout, /\nlock: held by dead-host:9:dead \(lease expired at \d{4}-\d\d-\d\dT[\d:.]+Z\)\n/);
    const json = JSON.parse((await runCli(["status", "--json"], { DATABASE_URL: dsn })).stdout);
    assert.equal(json.lock.expired, true);
  });

  it("renews its lease while held, and notices when it was taken over", async () => {
    const dsn = await pg.createDatabase();
    const deps = await lockDeps(dsn);
    const lock = await acquireLock("me:1:aaaa", { ...DEFAULT_LOCK, leaseMs: 600 }, deps);
    await new Promise((r) => setTimeout(r, 1000));
    const live = await withDb(dsn, (c) =>
      c.query(`SELECT lease_expires_at > now() AS live FROM schema_migrations_lock`),
    );
    assert.equal(live.rows[0].live, true, "renewed past its first lease");
    lock.assertHeld();
    await withDb(dsn, (c) => c.query(`UPDATE schema_migrations_lock SET owner = 'thief:2:bbbb'`));
    await new Promise((r) => setTimeout(r, 400));
    assert.throws(
      () => lock.assertHeld(),
      /lost the migration lock \("public"\.schema_migrations_lock 'dbmigrate', owner me:1:aaaa\): another runner took it over after its lease expired/,
    );
    await lock.release();
    const rows = await withDb(dsn, (c) => c.query(`SELECT owner FROM schema_migrations_lock`));
    assert.deepEqual(rows.rows, [{ owner: "thief:2:bbbb" }], "release never deletes someone else's lock");
  });

  it("unlock shows the holder (host, pid, command, lease); --force --dry-run breaks nothing; --force breaks it, and the old holder's late write fails", async () => {
    const dsn = await pg.createDatabase();
    const db = databaseOf(dsn);
    const env = { DATABASE_URL: dsn };
    assert.equal((await runCli(["up"], env)).code, 0);
    const dir = migrationsDir({
      "0900_slow.sql":
        "CREATE TABLE unlock_a (id INT8 PRIMARY KEY);\nSELECT pg_sleep(15);\nCREATE TABLE unlock_b (id INT8 PRIMARY KEY);\n",
    });
    const { child, done } = startCli(["up", "--migrations-dir", dir], env);
    await waitForDbmigrateQuery(pg, db, "%SELECT pg_sleep(15)%");
    const holderLine = new RegExp(
      `^lock held by \`dbmigrate up\` on host ${os.hostname()}, pid ${child.pid}, since \\S+ \\(lease until \\S+; owner ${os.hostname()}:${child.pid}:[0-9a-f]{8}\\)$`,
      "m",
    );
    const shown = await runCli(["unlock"], env);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, holderLine);
    assert.match(shown.stdout, /`dbmigrate unlock --force` breaks the lock/);
    const status = await runCli(["status", "--migrations-dir", dir], env);
    assert.match(
      status.stdout,
      new RegExp(
        `\\nlock: held by ${os.hostname()}:${child.pid}:[0-9a-f]{8}, running \`dbmigrate up\` \\(lease until `,
      ),
    );
    const dry = await runCli(["unlock", "--force", "--dry-run"], env);
    assert.match(dry.stdout, /dry run: --force would break it; nothing written/);
    assert.equal((await pg.query(db, `SELECT 1 FROM schema_migrations_lock`)).length, 1);
    const forced = await runCli(["unlock", "--force", "--json"], env);
    assert.equal(forced.code, 0, forced.stderr);
    const json = JSON.parse(forced.stdout) as { broken: boolean; holder: { pid: number; command: string } };
    assert.deepEqual([json.broken, json.holder.pid, json.holder.command], [true, child.pid, "up"]);
    assert.equal((await pg.query(db, `SELECT 1 FROM schema_migrations_lock`)).length, 0);
    // The old holder finishes its statements, but its fenced history write finds its lease gone.
    const run = await done;
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /0900_slow.sql: the migration lock's lease was not live when recording it/);
    const history = await pg.query(db, `SELECT 1 FROM schema_migrations WHERE version = 900`);
    assert.equal(history.length, 0, "nothing recorded by the broken holder (its transaction rolled back)");
    const free = await runCli(["unlock"], env);
    assert.match(free.stdout, /^the migration lock is free$/m);
  });

  it("statement-by-statement path: a holder whose lock is broken mid-statement stops after it, running nothing more", async () => {
    const dsn = await pg.createDatabase();
    const db = databaseOf(dsn);
    const env = { DATABASE_URL: dsn };
    const dir = migrationsDir({
      "0900_slow.sql":
        "CREATE TABLE unlock_a (id INT8 PRIMARY KEY);\nSELECT pg_sleep(15);\nCREATE TABLE unlock_b (id INT8 PRIMARY KEY);\n",
    });
    const { done } = startCli(["up", "--engine", "cockroachdb", "--migrations-dir", dir], env);
    await waitForDbmigrateQuery(pg, db, "%SELECT pg_sleep(15)%");
    const forced = await runCli(["unlock", "--force"], env);
    assert.equal(forced.code, 0, forced.stderr);
    const run = await done;
    assert.equal(run.code, 1, run.stderr);
    assert.match(
      run.stderr,
      /0900_slow.sql: stopped before statement 3 of 3: lost the migration lock .*its lease was gone when statement 2's progress was recorded/,
    );
    const tables = await pg.query<{ relname: string }>(
      db,
      `SELECT relname FROM pg_class WHERE relname IN ('unlock_a', 'unlock_b') ORDER BY relname`,
    );
    assert.deepEqual(
      tables.map((t) => t.relname),
      ["unlock_a"],
      "statement 3 never ran",
    );
    const [row] = await pg.query<{ statements_done: string }>(
      db,
      `SELECT statements_done FROM schema_migrations WHERE version = 900`,
    );
    assert.equal(Number(row.statements_done), 2, "statement 2 took effect, and the history says so");
  });
});
