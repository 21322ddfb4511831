/**
 * The CockroachDB path, forced on a real PostgreSQL, with made-up migrations: each statement on
 * its own with progress, 40001 retried with backoff, SQLSTATEs injected at statement positions,
 * resume at statement k after a definite failure, refusal after an unknown outcome, `resolve`;
 * and feature gates decided from the cluster's active version answered with CockroachDB's
 * documented outputs.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Clock } from "../../dbmigrate/clock";
import { backoffDelay, DEFAULT_RETRY } from "../../dbmigrate/retry";
import { statementOutcome } from "../../dbmigrate/sqlstate";
import { connectTo, recordingLogger, withDb } from "../support/engine";
import { failTimes, instrument, sqlError, type FaultRule } from "../support/faults";
import { cockroachServer, madeUp, PATHS, table, TWO } from "../support/made-up";
import { startPostgres, type TestPostgres } from "../support/postgres";

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

const THREE = {
  "0001_three.sql": `${table("t_one")}\n${table("t_two")}\n${table("t_three")}\n`,
};

async function cockroach(
  dsn: string,
  files: Record<string, string>,
  options: { log?: string[]; rules?: FaultRule[]; clock?: Clock } = {},
) {
  const logger = recordingLogger();
  const migrator = madeUp(instrument(await connectTo(dsn), options.log, options.rules), files, {
    engine: "cockroachdb",
    clock: options.clock ?? fastClock(),
    logger,
  });
  return { migrator, logger };
}

const historyOf = (dsn: string) =>
  withDb(
    dsn,
    async (c) =>
      (
        await c.query(
          `SELECT version::INT AS version, dirty, statements_done::INT AS done, failed_statement::INT AS failed, outcome_unknown AS unknown FROM schema_migrations ORDER BY version`,
        )
      ).rows,
  );
const tablesOf = (dsn: string) =>
  withDb(dsn, async (c) =>
    (
      await c.query<{ t: string }>(
        `SELECT table_name AS t FROM information_schema.tables WHERE table_name LIKE 't\\_%' ORDER BY 1`,
      )
    ).rows.map((r) => r.t),
  );

describe("SQLSTATE meanings (one module)", () => {
  const ddl = { schemaChange: true, resumed: false };
  const dml = { schemaChange: false, resumed: false };
  it("40001 is retried", () => assert.equal(statementOutcome(sqlError("40001"), dml).kind, "retry"));
  it("40003 is ambiguous", () => assert.equal(statementOutcome(sqlError("40003"), dml).kind, "ambiguous"));
  it("a lost connection is ambiguous, with or without a SQLSTATE", () => {
    assert.equal(statementOutcome(new Error("Connection terminated unexpectedly"), dml).kind, "ambiguous");
    assert.equal(statementOutcome(sqlError("57P01"), dml).kind, "ambiguous");
    assert.equal(statementOutcome(sqlError("08006"), dml).kind, "ambiguous");
  });
  it("XXA00 is a definite failure: the schema change did not take effect", () => {
    const outcome = statementOutcome(sqlError("XXA00"), ddl);
    assert.equal(outcome.kind, "failed");
    assert.match(outcome.kind === "failed" ? outcome.why! : "", /the schema change did not take effect/);
  });
  it("57014 on a schema change is ambiguous (its job may go on); on other statements a definite failure", () => {
    assert.equal(statementOutcome(sqlError("57014"), ddl).kind, "ambiguous");
    assert.equal(statementOutcome(sqlError("57014"), dml).kind, "failed");
  });
  it("42501 says to grant the privilege", () => {
    const outcome = statementOutcome(sqlError("42501"), ddl);
    assert.match(outcome.kind === "failed" ? outcome.hint! : "", /grant the migration role/);
  });
  it("42P07 on a resumed statement says it took effect before", () => {
    const outcome = statementOutcome(sqlError("42P07"), { schemaChange: true, resumed: true });
    assert.match(outcome.kind === "failed" ? outcome.why! : "", /already exists, so it took effect before/);
    assert.deepEqual(statementOutcome(sqlError("42P07"), ddl), { kind: "failed" }, "not resumed: a plain failure");
  });
});

describe("CockroachDB path (forced)", () => {
  it("runs each statement on its own, outside any explicit transaction, recording progress after each", async () => {
    const dsn = await pg.createDatabase();
    const log: string[] = [];
    const { migrator } = await cockroach(dsn, THREE, { log });
    const result = await migrator.up();
    assert.equal(result.engine, "cockroachdb");
    const start = log.findIndex((q) => q.includes(`INSERT INTO "public".schema_migrations (`));
    const part = log.slice(start);
    assert.match(part[0], /dirty, baseline, statements_total/, "dirty marker with the statement count first");
    assert.match(part[1], /^SET lock_timeout = '\d+ms'$/, "the engine's lock_timeout before the first statement");
    assert.match(part[2], /^CREATE TABLE t_one/);
    assert.match(part[3], /SET statements_done = \$3/);
    assert.ok(
      !part
        .slice(
          0,
          part.findIndex((q) => q === "BEGIN"),
        )
        .includes("BEGIN"),
      "no transaction around DDL",
    );
    assert.deepEqual(await historyOf(dsn), [{ version: 1, dirty: false, done: 3, failed: null, unknown: false }]);
  });

  it("retries a statement that fails with 40001 with capped exponential backoff, then succeeds", async () => {
    const dsn = await pg.createDatabase();
    const clock = fastClock();
    const { migrator, logger } = await cockroach(dsn, THREE, {
      clock,
      rules: [failTimes(/^CREATE TABLE t_two/, "40001", 4)],
    });
    await migrator.up();
    assert.equal(clock.sleeps.length, 4);
    clock.sleeps.forEach((ms, k) => {
      const cap = Math.min(DEFAULT_RETRY.maxDelayMs, DEFAULT_RETRY.baseDelayMs * 2 ** k);
      assert.ok(ms >= cap / 2 && ms <= cap, `retry ${k + 1} waited ${ms} ms, expected ${cap / 2}..${cap}`);
    });
    assert.equal(logger.lines.filter((l) => /retrying 0001_three.sql line 2 after SQLSTATE 40001/.test(l)).length, 4);
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

  // A definite failure at each statement position: dirty at k (or nothing at 1), then `up` resumes at k.
  for (const k of [1, 2, 3]) {
    it(`a definite failure (XXA00) at statement ${k} of 3: up again resumes at statement ${k} without resolve, running nothing twice`, async () => {
      const dsn = await pg.createDatabase();
      const target = ["t_one", "t_two", "t_three"][k - 1];
      const { migrator } = await cockroach(dsn, THREE, {
        rules: [failTimes(new RegExp(`^CREATE TABLE ${target}`), "XXA00", 1)],
      });
      await assert.rejects(migrator.up(), (error: Error & { describe(): string }) => {
        assert.match(error.describe(), /\[SQLSTATE XXA00\]\. The schema change did not take effect/);
        if (k === 1) assert.match(error.describe(), /nothing of it was applied$/);
        else
          assert.match(
            error.describe(),
            new RegExp(`dirty at statement ${k} of 3: fix the cause, then \`dbmigrate up\` resumes at statement ${k}`),
          );
        return true;
      });
      const status = await migrator.status();
      if (k > 1) {
        assert.equal(status.migrations[0].state, "dirty");
        assert.equal(status.migrations[0].progress?.resumeAt, k - 1);
        assert.deepEqual(status.problems, [], "resumable: nothing for a person to do");
      } else assert.equal(status.migrations[0].state, "pending");
      const log: string[] = [];
      const again = await cockroach(dsn, THREE, { log });
      const result = await again.migrator.up();
      assert.equal(result.applied[0].resumedAt, k);
      assert.equal(log.filter((q) => q.startsWith("CREATE TABLE t_one")).length, k === 1 ? 1 : 0);
      assert.deepEqual(await tablesOf(dsn), ["t_one", "t_three", "t_two"]);
      assert.deepEqual(await historyOf(dsn), [{ version: 1, dirty: false, done: 3, failed: null, unknown: false }]);
    });
  }

  for (const [code, label] of [
    ["40003", "40003"],
    ["57P01", "a lost connection"],
  ] as const) {
    it(`an unknown outcome (${label}) at statement 2 stays dirty: up refuses with what to check and resolve; resolve says how far it got`, async () => {
      const dsn = await pg.createDatabase();
      const { migrator } = await cockroach(dsn, THREE, { rules: [failTimes(/^CREATE TABLE t_two/, code, 1)] });
      await assert.rejects(migrator.up(), (error: Error & { describe(): string }) => {
        assert.match(
          error.describe(),
          /The outcome is unknown .* dirty at statement 2 of 3: check CockroachDB's schema-change jobs .*`dbmigrate resolve 0001 --applied`/,
        );
        return true;
      });
      assert.deepEqual(await historyOf(dsn), [{ version: 1, dirty: true, done: 1, failed: 2, unknown: true }]);
      const status = await migrator.status();
      assert.match(
        status.problems[0],
        /^0001_three.sql is dirty at statement 2 of 3 \(made-up\/0001_three.sql:2\): .*whether statement 2 took effect is unknown/,
      );
      await assert.rejects(
        migrator.up(),
        /problem\(s\) with the migration history: 0001_three.sql is dirty at statement 2 of 3/,
      );
      assert.deepEqual(await tablesOf(dsn), ["t_one"], "the refused run changed nothing");
      await withDb(dsn, (c) => c.query("DROP TABLE t_one"));
      const logger = recordingLogger();
      await madeUp(await connectTo(dsn), THREE, { engine: "cockroachdb", logger }).resolve(1, "rolled-back");
      assert.ok(
        logger.lines.some((l) => l.includes("1 of 3 statements had taken effect")),
        logger.lines.join("\n"),
      );
      assert.equal((await migrator.up()).applied.length, 1);
      assert.deepEqual(await tablesOf(dsn), ["t_one", "t_three", "t_two"]);
    });
  }

  it("refusing an unknown outcome on CockroachDB, up names the unfinished schema-change jobs (SHOW JOBS, as documented)", async () => {
    const dsn = await pg.createDatabase();
    const jobs = [
      {
        jobId: "1035844197421465601",
        status: "running",
        description: "CREATE TABLE made_up.public.t_two (id UUID PRIMARY KEY DEFAULT gen_random_uuid())",
      },
    ];
    const server = cockroachServer("v24.3.4", "24.3", jobs);
    const connect = instrument(await connectTo(dsn), [], [failTimes(/^CREATE TABLE t_two/, "40003", 1)]);
    const migrator = madeUp(connect, THREE, { server, clock: fastClock() });
    assert.equal((await migrator.status()).engine, "cockroachdb", "detected from version(), not forced");
    await assert.rejects(migrator.up(), /40003/);
    await assert.rejects(migrator.up(), (error: Error & { describe(): string }) => {
      assert.match(
        error.describe(),
        /unfinished CockroachDB schema-change jobs: 1035844197421465601 \(running\): CREATE TABLE made_up.public.t_two/,
      );
      return true;
    });
  });

  it("gives up after the last 40001 attempt: dirty at that statement, and up resumes there", async () => {
    const dsn = await pg.createDatabase();
    const { migrator } = await cockroach(dsn, THREE, { rules: [failTimes(/^CREATE TABLE t_three/, "40001", 100)] });
    await assert.rejects(migrator.up(), (error: Error & { describe(): string }) => {
      assert.match(
        error.describe(),
        /\[SQLSTATE 40001\]\. Statements before it were committed .* dirty at statement 3 of 3/,
      );
      return true;
    });
    assert.deepEqual(await historyOf(dsn), [{ version: 1, dirty: true, done: 2, failed: 3, unknown: false }]);
    assert.equal((await (await cockroach(dsn, THREE)).migrator.up()).applied[0].resumedAt, 3);
  });

  it("finishes a migration whose every statement took effect but whose finishing write failed", async () => {
    const dsn = await pg.createDatabase();
    const { migrator } = await cockroach(dsn, THREE, { rules: [failTimes(/SET dirty = false/, "57P01", 1)] });
    await assert.rejects(migrator.up(), /every statement took effect, but recording it finished/);
    assert.equal((await migrator.status()).migrations[0].state, "dirty");
    const result = await (await cockroach(dsn, THREE)).migrator.up();
    assert.equal(result.applied[0].resumedAt, 4);
    assert.deepEqual(await historyOf(dsn), [{ version: 1, dirty: false, done: 3, failed: null, unknown: false }]);
  });

  it("resolves a dirty migration as applied, and refuses to resolve one that is not dirty", async () => {
    const dsn = await pg.createDatabase();
    const { migrator } = await cockroach(dsn, THREE, { rules: [failTimes(/^CREATE TABLE t_two/, "40003", 1)] });
    await assert.rejects(migrator.up());
    await withDb(dsn, async (c) => {
      await c.query(table("t_two"));
      await c.query(table("t_three"));
    });
    await migrator.resolve(1, "applied");
    assert.equal((await migrator.status()).migrations[0].state, "applied");
    await assert.rejects(migrator.resolve(1, "applied"), /migration 0001 is not dirty/);
  });

  it("retries the whole transaction on the PostgreSQL path", async () => {
    const dsn = await pg.createDatabase();
    const clock = fastClock();
    const log: string[] = [];
    // The file goes to the server as one query on this path: the fault hits the query that carries t_two.
    await madeUp(instrument(await connectTo(dsn), log, [failTimes(/CREATE TABLE t_two/, "40001", 2)]), THREE, {
      clock,
    }).up();
    assert.equal(clock.sleeps.length, 2);
    assert.equal(log.filter((q) => q.includes("CREATE TABLE t_one")).length, 3, "the transaction ran three times");
    assert.equal(log.filter((q) => q === "ROLLBACK").length, 2);
  });
});

describe("feature gates from the cluster", () => {
  const RLS = {
    ...TWO,
    "0003_rls.sql": `-- dbmigrate:requires row_level_security\nALTER TABLE first_a ENABLE ROW LEVEL SECURITY;\n`,
    "0004_after.sql": `${table("after_rls")}\n`,
  };

  it("a CockroachDB 25.2 binary whose cluster is still at 24.3 waits: not recorded, later ones apply; once finalized, it applies", async () => {
    const dsn = await pg.createDatabase();
    const connect = await connectTo(dsn);
    const upgrading = cockroachServer("v25.2.1", "24.3-upgrading-to-25.2-step-010");
    const first = await madeUp(connect, RLS, { server: upgrading }).up();
    assert.deepEqual(
      first.applied.map((m) => m.file),
      ["0001_first.sql", "0002_second.sql", "0004_after.sql"],
    );
    assert.ok(upgrading.asked.includes("clusterVersion"), "asked the cluster's active version");
    const status = await madeUp(connect, RLS, { server: upgrading }).status();
    const waiting = status.migrations.find((m) => m.file === "0003_rls.sql")!;
    assert.equal(waiting.state, "waiting");
    assert.match(
      waiting.waitingFor!,
      /row-level security needs .* CockroachDB cluster at version 25\.2\+ \(the cluster's active version is 24\.3-upgrading-to-25\.2-step-010\)/,
    );
    assert.deepEqual(status.problems, []);
    const rows = await withDb(dsn, (c) => c.query(`SELECT version FROM schema_migrations WHERE version = 3`));
    assert.equal(rows.rowCount, 0, "not recorded as done");
    const finalized = await madeUp(connect, RLS, { server: cockroachServer("v25.2.1", "25.2") }).up();
    assert.deepEqual(
      finalized.applied.map((m) => m.file),
      ["0003_rls.sql"],
    );
    const rls = await withDb(dsn, (c) => c.query(`SELECT relrowsecurity FROM pg_class WHERE relname = 'first_a'`));
    assert.equal(rls.rows[0].relrowsecurity, true);
  });

  for (const engine of PATHS) {
    it(`${engine} path: a database where a migration was recorded as skipped gets it applied once the feature exists`, async () => {
      const dsn = await pg.createDatabase();
      const connect = await connectTo(dsn);
      await madeUp(connect, TWO, { engine }).up();
      const rls = RLS["0003_rls.sql"];
      // What an older dbmigrate wrote for it on a 24.x cluster.
      await withDb(dsn, (c) =>
        c.query(
          `INSERT INTO schema_migrations (version, name, file, checksum, applied_at, applied_by, skipped_reason) VALUES (3, 'rls', '0003_rls.sql', 'x', now(), 'old', 'row-level security needs PostgreSQL or CockroachDB 25.2+')`,
        ),
      );
      const files = { ...TWO, "0003_rls.sql": rls };
      assert.equal(
        (await madeUp(connect, files, { server: cockroachServer("v24.3.4", "24.3") }).status()).migrations[2].state,
        "waiting",
      );
      const result = await madeUp(connect, files, { engine }).up();
      assert.deepEqual(
        result.applied.map((m) => m.file),
        ["0003_rls.sql"],
      );
      const rows = await withDb(dsn, (c) =>
        c.query(`SELECT skipped_reason, dirty FROM schema_migrations WHERE version = 3`),
      );
      assert.deepEqual(rows.rows, [{ skipped_reason: null, dirty: false }]);
    });
  }

  it("a cluster version it may not read is one line naming the privilege to grant", async () => {
    const server = cockroachServer("v25.2.1", "25.2");
    server.clusterVersion = async () => {
      throw sqlError(
        "42501",
        "user migrator does not have VIEWCLUSTERSETTING or MODIFYCLUSTERSETTING system privilege",
      );
    };
    await assert.rejects(
      madeUp(await connectTo(await pg.createDatabase()), TWO, { server }).status(),
      (error: Error & { describe(): string }) => {
        assert.match(
          error.describe(),
          /^cannot read the cluster's active version \(SHOW CLUSTER SETTING version\): user migrator does not have VIEWCLUSTERSETTING .*\[SQLSTATE 42501\]\. .*GRANT SYSTEM VIEWCLUSTERSETTING/,
        );
        return true;
      },
    );
  });

  it("--engine cockroachdb forced on PostgreSQL decides features from PostgreSQL, not from the forced name", async () => {
    const dsn = await pg.createDatabase();
    const result = await madeUp(await connectTo(dsn), RLS, { engine: "cockroachdb" }).up();
    assert.deepEqual(
      result.applied.map((m) => m.file),
      ["0001_first.sql", "0002_second.sql", "0003_rls.sql", "0004_after.sql"],
    );
  });
});
