/**
 * Lock-safe DDL, on a real PostgreSQL and on both paths: a migration's ALTER TABLE stuck behind an
 * open transaction gives up after its short lock_timeout (55P03) and retries with backoff, so a
 * plain reader queued behind it waits no longer than that timeout; once the blocker commits, the
 * migration succeeds. When the retries run out: one line naming the file, the table, 55P03 and
 * what to do. A file's `-- dbmigrate:lock-timeout` header overrides the run's value.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { SqlClient } from "../../dbmigrate/db";
import { runCli } from "../support/cli";
import { connectTo, recordingLogger, withDb } from "../support/engine";
import { madeUp, PATHS } from "../support/made-up";
import { databaseOf, startPostgres, type TestPostgres } from "../support/postgres";
import { migrationsDir } from "../support/temp";

let pg: TestPostgres;
before(async () => {
  pg = await startPostgres();
});
after(() => pg?.stop());

/** The run's lock_timeout in these tests, ms. */
const LOCK_TIMEOUT_MS = 500;
/** What the reader may wait beyond the lock timeout: scheduling on a shared machine, not a benchmark. */
const MARGIN_MS = 1500;
/** How long the test lets a reader wait before it ends the blocker itself (so a regression fails, never hangs). */
const READER_GIVE_UP_MS = 8000;

const CREATE = "0001_t.sql";
const ALTER = "0002_add.sql";
const BASE = { [CREATE]: "CREATE TABLE t (id INT PRIMARY KEY);\nINSERT INTO t SELECT generate_series(1, 10);\n" };

/** A database with table `t` migrated in, and a client holding a row lock on `t` in an open transaction. */
async function blockedTable(): Promise<{ dsn: string; blocker: SqlClient }> {
  const dsn = await pg.createDatabase();
  await madeUp(await connectTo(dsn), BASE).up();
  const blocker = await (await connectTo(dsn))();
  await blocker.query("BEGIN");
  await blocker.query("SELECT * FROM t FOR UPDATE");
  return { dsn, blocker };
}

/** Resolves once a session waits for a lock while running a statement matching `pattern` (SQL LIKE). */
async function lockWaiter(dsn: string, pattern: string): Promise<void> {
  for (let k = 0; k < 500; k++) {
    const rows = await pg.query(
      databaseOf(dsn),
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE $1`,
      [pattern],
    );
    if (rows.length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`no session waited for a lock running ${pattern}`);
}

describe("lock-safe DDL", () => {
  for (const engine of PATHS) {
    it(`${engine} path: a reader queued behind a blocked ALTER TABLE waits at most the lock timeout; the migration succeeds by retry once the blocker commits`, async () => {
      const { dsn, blocker } = await blockedTable();
      const reader = await (await connectTo(dsn))();
      try {
        const logger = recordingLogger();
        const files = { ...BASE, [ALTER]: "ALTER TABLE t ADD COLUMN note TEXT;\n" };
        const run = madeUp(await connectTo(dsn), files, {
          engine,
          logger,
          ddlLockTimeoutMs: LOCK_TIMEOUT_MS,
          // Enough attempts to outlast the blocker below.
          retry: { maxAttempts: 100, baseDelayMs: 50, maxDelayMs: 200 },
        }).up();
        const outcome = run.then(
          (result) => ({ result }),
          (error: unknown) => ({ error }),
        );
        await lockWaiter(dsn, "%ALTER TABLE t ADD COLUMN note%");

        const started = performance.now();
        const read = reader.query<{ n: number }>("SELECT count(*)::INT AS n FROM t");
        let giveUp: NodeJS.Timeout | undefined;
        const gaveUp = new Promise<"gave up">((resolve) => {
          giveUp = setTimeout(() => resolve("gave up"), READER_GIVE_UP_MS);
        });
        const first = await Promise.race([read, gaveUp]);
        const waitedMs = performance.now() - started;
        clearTimeout(giveUp);
        if (first === "gave up") await blocker.query("ROLLBACK");
        assert.notEqual(first, "gave up", `the reader was still waiting after ${READER_GIVE_UP_MS} ms`);
        assert.equal((await read).rows[0].n, 10);
        assert.ok(
          waitedMs < LOCK_TIMEOUT_MS + MARGIN_MS,
          `the reader waited ${Math.round(waitedMs)} ms, more than lock_timeout ${LOCK_TIMEOUT_MS} ms + ${MARGIN_MS} ms`,
        );

        // The migration is still trying (the blocker holds on); it gets its lock once the blocker commits.
        await lockWaiter(dsn, "%ALTER TABLE t ADD COLUMN note%");
        await blocker.query("COMMIT");
        const done = await outcome;
        assert.ok("result" in done, `the migration failed: ${"error" in done ? String(done.error) : ""}`);
        assert.deepEqual(
          done.result.applied.map((m) => m.file),
          [ALTER],
        );
        assert.ok(
          logger.lines.some((l) => /retrying .*0002_add\.sql.* after SQLSTATE 55P03/.test(l)),
          `no 55P03 retry was logged: ${logger.lines.join(" | ")}`,
        );
        const column = await withDb(dsn, (c) =>
          c.query(`SELECT 1 FROM information_schema.columns WHERE table_name = 't' AND column_name = 'note'`),
        );
        assert.equal(column.rows.length, 1);
      } finally {
        await blocker.query("ROLLBACK").catch(() => undefined);
        await blocker.end();
        await reader.end();
      }
    });

    it(`${engine} path: after the retries, one line names the file, the table, SQLSTATE 55P03 and what to do; the header's timeout wins over the run's`, async () => {
      const { dsn, blocker } = await blockedTable();
      try {
        // The run's value is a minute: only the header's 200 ms lets this finish in time.
        const files = { ...BASE, [ALTER]: "-- dbmigrate:lock-timeout 200ms\nALTER TABLE t ADD COLUMN note TEXT;\n" };
        const blockerPid = (await blocker.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0].pid;
        let hint = "";
        const started = performance.now();
        await assert.rejects(
          madeUp(await connectTo(dsn), files, {
            engine,
            ddlLockTimeoutMs: 60_000,
            retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 20 },
          }).up(),
          (error: Error & { sqlState?: string; hint?: string }) => {
            assert.equal(error.sqlState, "55P03");
            assert.match(error.message, /0002_add\.sql/);
            assert.match(error.message, /lock on table t longer than lock_timeout \(200 ms\) in each of 3 attempts/);
            assert.match(error.hint ?? "", /nothing of it was applied/i);
            assert.match(error.hint ?? "", /pg_stat_activity a USING \(pid\) WHERE l\.relation = '"t"'::regclass/);
            assert.match(error.hint ?? "", /-- dbmigrate:lock-timeout 10s/);
            hint = error.hint ?? "";
            return true;
          },
        );
        assert.ok(performance.now() - started < 20_000, "the header's lock timeout was not used");
        // The hint's query finds the blocker.
        const query = /`(SELECT a\.pid[^`]*)`/.exec(hint)?.[1] ?? "";
        const holders = await pg.query<{ pid: number }>(databaseOf(dsn), query);
        assert.ok(
          holders.some((h) => h.pid === blockerPid),
          `the hint's query did not find the blocker: ${query}`,
        );
        await blocker.query("ROLLBACK");
        const column = await withDb(dsn, (c) =>
          c.query(`SELECT 1 FROM information_schema.columns WHERE table_name = 't' AND column_name = 'note'`),
        );
        assert.equal(column.rows.length, 0, "nothing of the migration was applied");
        // Nothing to resolve: the next run applies it.
        const next = await madeUp(await connectTo(dsn), files, { engine }).up();
        assert.deepEqual(
          next.applied.map((m) => m.file),
          [ALTER],
        );
      } finally {
        await blocker.query("ROLLBACK").catch(() => undefined);
        await blocker.end();
      }
    });
  }

  it("the CLI's --ddl-lock-timeout reaches the engine; its failure is one line on stderr (file, table, 55P03, what to do)", async () => {
    const { dsn, blocker } = await blockedTable();
    try {
      const dir = migrationsDir({ ...BASE, [ALTER]: "ALTER TABLE t ADD COLUMN note TEXT;\n" }, false);
      const run = await runCli(["up", "--migrations-dir", dir, "--ddl-lock-timeout", "200"], { DATABASE_URL: dsn });
      assert.equal(run.code, 1, run.stderr);
      const lines = run.stderr.trim().split("\n");
      const line = lines.at(-1) ?? "";
      assert.match(line, /0002_add\.sql/);
      assert.match(line, /lock on table t longer than lock_timeout \(200 ms\)/);
      assert.match(line, /SQLSTATE 55P03/);
      assert.match(line, /pg_stat_activity/);
    } finally {
      await blocker.query("ROLLBACK").catch(() => undefined);
      await blocker.end();
    }
  });
});
