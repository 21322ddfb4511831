/** The lease lock on a real PostgreSQL: waiting, timing out, taking over an expired lease, renewal. */
import assert from "node:assert/strict";
import { loadMigrations } from "../../dbmigrate/migrations";
import { after, before, describe, it } from "node:test";
import { acquireLock, DEFAULT_LOCK, LOCK_NAME } from "../../dbmigrate/lock";
import { engineSchema } from "../../dbmigrate/engine-schema";
import { systemClock } from "../../dbmigrate/clock";
import { DEFAULT_RETRY } from "../../dbmigrate/retry";
import { runCli } from "../support/cli";
import { connectTo, migratorFor, recordingLogger, withDb } from "../support/engine";
import { startPostgres, type TestPostgres } from "../support/postgres";

let pg: TestPostgres;
before(async () => {
  pg = await startPostgres();
});
after(() => pg?.stop());

/** Leaves a lock row behind as a killed process would: owned by `owner`, leased for `leaseMs`. */
async function plantLock(dsn: string, owner: string, leaseMs: number): Promise<void> {
  const deps = {
    connect: await connectTo(dsn),
    clock: systemClock,
    logger: recordingLogger(),
    retry: DEFAULT_RETRY,
    schema: engineSchema("public", false),
  };
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
    await plantLock(dsn, "dead-host:1234:abcd", 1500);
    const logger = recordingLogger();
    const started = Date.now();
    const result = await (
      await migratorFor(dsn, { logger, lock: { waitTimeoutMs: 10_000, pollIntervalMs: 100 } })
    ).up();
    const waited = Date.now() - started;
    assert.equal(result.applied.length, (await loadMigrations("migrations")).length);
    assert.ok(waited >= 1000, `proceeded after ${waited} ms, before the lease ended`);
    assert.match(logger.lines[0], /^waiting for the migration lock held by dead-host:1234:abcd \(lease until .*\)$/);
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
          /^timed out after 300 ms waiting for the migration lock held by busy-host:1:feed \(lease until .*\)\. Wait for that run to finish, or if it died, for its lease to expire; raise --lock-timeout to wait longer$/,
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
    const deps = {
      connect: await connectTo(dsn),
      clock: systemClock,
      logger: recordingLogger(),
      retry: DEFAULT_RETRY,
      schema: engineSchema("public", false),
    };
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
});
