/**
 * The CockroachDB path, forced on a real PostgreSQL: each statement on its own, the dirty marker
 * around them, 40001 retried with backoff, XXA00 left dirty, and `resolve`.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Clock } from "../../dbmigrate/clock";
import { Migrator } from "../../dbmigrate/runner";
import { backoffDelay, DEFAULT_RETRY } from "../../dbmigrate/retry";
import { connectTo, recordingLogger, withDb } from "../support/engine";
import { failTimes, instrument, type FaultRule } from "../support/faults";
import { startPostgres, type TestPostgres } from "../support/postgres";
import { migrationsDir } from "../support/temp";

let pg: TestPostgres;
before(async () => {
  pg = await startPostgres();
});
after(() => pg?.stop());

/** A clock that records sleeps and does not wait. */
function fastClock(): Clock & { sleeps: number[] } {
  const sleeps: number[] = [];
  return { sleeps, now: () => Date.now(), sleep: async (ms) => void sleeps.push(ms) };
}

async function cockroach(
  dsn: string,
  options: { log?: string[]; rules?: FaultRule[]; dir?: string; clock?: Clock } = {},
) {
  const logger = recordingLogger();
  const migrator = new Migrator({
    connect: instrument(await connectTo(dsn), options.log, options.rules),
    engine: "cockroachdb",
    migrationsDir: options.dir,
    clock: options.clock ?? fastClock(),
    logger,
  });
  return { migrator, logger };
}

const historyOf = (dsn: string) =>
  withDb(
    dsn,
    async (c) => (await c.query(`SELECT version::INT AS version, dirty FROM schema_migrations ORDER BY version`)).rows,
  );

describe("CockroachDB path (forced)", () => {
  it("runs each statement on its own, outside any explicit transaction, with the history marked dirty first", async () => {
    const dsn = await pg.createDatabase();
    const log: string[] = [];
    const { migrator } = await cockroach(dsn, { log });
    const result = await migrator.up();
    assert.equal(result.engine, "cockroachdb");
    const migrationPart = log.slice(
      log.findIndex((q) => q.includes("INSERT INTO schema_migrations (")),
      log.findIndex((q) => q.startsWith("UPDATE schema_migrations")) + 1,
    );
    assert.match(
      migrationPart[0],
      /INSERT INTO schema_migrations .*VALUES \(\$1, \$2, \$3, \$4, \$5, true, \$6\)/s,
      "dirty marker before the first statement",
    );
    assert.match(migrationPart[1], /^CREATE TABLE customers/);
    assert.match(migrationPart.at(-1)!, /^UPDATE schema_migrations SET dirty = false/);
    assert.ok(!migrationPart.includes("BEGIN"), "no explicit transaction around DDL");
    assert.deepEqual(await historyOf(dsn), [
      { version: 1, dirty: false },
      { version: 2, dirty: false },
    ]);
  });

  it("retries a statement that fails with 40001 with capped exponential backoff, then succeeds", async () => {
    const dsn = await pg.createDatabase();
    const clock = fastClock();
    const { migrator, logger } = await cockroach(dsn, { clock, rules: [failTimes(/^CREATE TABLE posts/, "40001", 4)] });
    await migrator.up();
    assert.equal(clock.sleeps.length, 4);
    clock.sleeps.forEach((ms, k) => {
      const cap = Math.min(DEFAULT_RETRY.maxDelayMs, DEFAULT_RETRY.baseDelayMs * 2 ** k);
      assert.ok(ms >= cap / 2 && ms <= cap, `retry ${k + 1} waited ${ms} ms, expected ${cap / 2}..${cap}`);
    });
    assert.equal(
      logger.lines.filter((l) => /retrying 0001_complete_schema.sql line \d+ after SQLSTATE 40001/.test(l)).length,
      4,
    );
    assert.deepEqual(await historyOf(dsn), [
      { version: 1, dirty: false },
      { version: 2, dirty: false },
    ]);
  });

  it("caps the backoff", () => {
    assert.equal(
      backoffDelay(20, DEFAULT_RETRY, () => 1),
      DEFAULT_RETRY.maxDelayMs,
    );
    assert.equal(
      backoffDelay(1, DEFAULT_RETRY, () => 0),
      DEFAULT_RETRY.baseDelayMs / 2,
    );
  });

  it("gives up after the last attempt with the SQLSTATE and leaves the migration dirty", async () => {
    const dsn = await pg.createDatabase();
    const { migrator } = await cockroach(dsn, { rules: [failTimes(/^CREATE TABLE posts/, "40001", 100)] });
    await assert.rejects(migrator.up(), (error: Error & { describe(): string }) => {
      assert.match(
        error.describe(),
        /^migration 0001_complete_schema.sql failed at line \d+: injected 40001 .*\[SQLSTATE 40001\]\. Statements before it were committed/,
      );
      return true;
    });
    assert.deepEqual(await historyOf(dsn), [{ version: 1, dirty: true }]);
  });

  it("treats XXA00 as ambiguous: dirty, reported, resolvable", async () => {
    const dsn = await pg.createDatabase();
    const dir = migrationsDir({
      "0003_two_tables.sql":
        "CREATE TABLE one_t (id UUID PRIMARY KEY DEFAULT gen_random_uuid());\nCREATE TABLE two_t (id UUID PRIMARY KEY DEFAULT gen_random_uuid());\n",
    });
    const { migrator } = await cockroach(dsn, { dir, rules: [failTimes(/^CREATE TABLE two_t/, "XXA00", 1)] });
    await assert.rejects(migrator.up(), (error: Error & { describe(): string }) => {
      assert.match(
        error.describe(),
        /^migration 0003_two_tables.sql failed at line 2: injected XXA00 .*\[SQLSTATE XXA00\]\. The result is ambiguous .* `dbmigrate resolve 0003 --applied` or `--rolled-back`$/,
      );
      return true;
    });
    const status = await migrator.status();
    assert.equal(status.migrations[2].state, "dirty");
    assert.match(
      status.problems[0],
      /0003_two_tables.sql started at .* and did not finish: check which of its statements took effect, then run `dbmigrate resolve 0003 --applied`/,
    );
    await assert.rejects(migrator.up(), /problem\(s\) with the migration history: 0003_two_tables.sql started at/);
    // A person checks: one_t exists, two_t does not. They undo one_t and mark it rolled back.
    await withDb(dsn, (c) => c.query("DROP TABLE one_t"));
    await migrator.resolve(3, "rolled-back");
    const again = await migrator.up();
    assert.deepEqual(
      again.applied.map((m) => m.file),
      ["0003_two_tables.sql"],
    );
  });

  it("forgets the dirty marker when the very first statement fails (nothing took effect)", async () => {
    const dsn = await pg.createDatabase();
    const dir = migrationsDir({
      "0003_bad.sql":
        "CREATE TABLE bad_t (id UUID PRIMARY KEY, x no_such_type);\nCREATE TABLE later_t (id UUID PRIMARY KEY);\n",
    });
    const { migrator } = await cockroach(dsn, { dir });
    await assert.rejects(migrator.up(), (error: Error & { describe(): string }) => {
      assert.match(
        error.describe(),
        /^migration 0003_bad.sql failed at line 1: type "no_such_type" does not exist .*\[SQLSTATE 42704\]\. Nothing of it was applied$/,
      );
      return true;
    });
    assert.equal((await migrator.status()).migrations[2].state, "pending");
    writeFileSync(path.join(dir, "0003_bad.sql"), "CREATE TABLE bad_t (id UUID PRIMARY KEY);\n");
    assert.deepEqual(
      (await migrator.up()).applied.map((m) => m.file),
      ["0003_bad.sql"],
    );
  });

  it("resolves a dirty migration as applied when its statements did take effect", async () => {
    const dsn = await pg.createDatabase();
    const dir = migrationsDir({
      "0003_pair.sql": "CREATE TABLE p1 (id UUID PRIMARY KEY);\nCREATE TABLE p2 (id UUID PRIMARY KEY);\n",
    });
    await (await cockroach(dsn)).migrator.up();
    const { migrator } = await cockroach(dsn, {
      dir,
      rules: [failTimes(/^UPDATE schema_migrations SET dirty = false/, "57P01", 1)],
    });
    await assert.rejects(migrator.up(), /injected 57P01/);
    assert.equal((await migrator.status()).migrations[2].state, "dirty");
    await migrator.resolve(3, "applied");
    const status = await migrator.status();
    assert.equal(status.migrations[2].state, "applied");
    await assert.rejects(migrator.resolve(3, "applied"), /migration 0003 is not dirty/);
  });

  it("retries the whole transaction on the PostgreSQL path", async () => {
    const dsn = await pg.createDatabase();
    const clock = fastClock();
    const log: string[] = [];
    const migrator = new Migrator({
      connect: instrument(await connectTo(dsn), log, [failTimes(/^CREATE TABLE posts/, "40001", 2)]),
      clock,
    });
    await migrator.up();
    assert.equal(clock.sleeps.length, 2);
    assert.equal(
      log.filter((q) => q.startsWith("CREATE TABLE customers")).length,
      3,
      "the transaction ran three times",
    );
    assert.equal(log.filter((q) => q === "ROLLBACK").length, 2);
  });
});
