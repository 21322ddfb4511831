/** The engine on a real PostgreSQL: plan states, up, history, audit, apply-complete, resolve, drop. */
import assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { createConnect } from "../../dbmigrate/connection";
import { Migrator } from "../../dbmigrate/runner";
import { recordingLogger, connectTo, migratorFor, withDb } from "../support/engine";
import { instrument } from "../support/faults";
import { startPostgres, type TestPostgres } from "../support/postgres";
import { migrationsDir } from "../support/temp";

let pg: TestPostgres;
before(async () => {
  pg = await startPostgres();
});
after(() => pg?.stop());

const tableExists = (dsn: string, table: string) =>
  withDb(
    dsn,
    async (c) =>
      (await c.query(`SELECT 1 FROM information_schema.tables WHERE table_name = $1`, [table])).rows.length === 1,
  );

describe("engine", () => {
  it("reports every migration pending and no seed on a fresh database", async () => {
    const report = await (await migratorFor(await pg.createDatabase())).status();
    assert.equal(report.engine, "postgres");
    assert.match(report.serverVersion, /^PostgreSQL \d+/);
    assert.deepEqual(
      report.migrations.map((m) => [m.file, m.state, m.appliedAt]),
      [
        ["0001_complete_schema.sql", "pending", null],
        ["0002_tenant_row_level_security.sql", "pending", null],
      ],
    );
    assert.equal(report.pending, 2);
    assert.equal(report.seed.customerId, null);
  });

  it("applies, records history with duration and author, writes one audit row per migration, and reports progress", async () => {
    const dsn = await pg.createDatabase();
    const logger = recordingLogger();
    const result = await (await migratorFor(dsn, { logger, appliedBy: "tester@ci" })).up();
    assert.deepEqual(
      result.applied.map((m) => [m.file, m.outcome]),
      [
        ["0001_complete_schema.sql", "applied"],
        ["0002_tenant_row_level_security.sql", "applied"],
      ],
    );
    assert.equal(result.schemaVersion, 2);
    assert.ok(
      logger.lines.some((l) => /^applied 0001_complete_schema.sql in \d+ ms$/.test(l)),
      logger.lines.join("\n"),
    );
    const history = await withDb(dsn, (c) =>
      c.query(
        `SELECT version, file, checksum, applied_by, dirty, baseline, execution_ms >= 0 AS timed, applied_at IS NOT NULL AS done FROM schema_migrations ORDER BY version`,
      ),
    );
    assert.deepEqual(
      history.rows.map((r) => [r.version, r.file, r.applied_by, r.dirty, r.baseline, r.timed, r.done]),
      [
        ["1", "0001_complete_schema.sql", "tester@ci", false, false, true, true],
        ["2", "0002_tenant_row_level_security.sql", "tester@ci", false, false, true, true],
      ],
    );
    assert.equal(history.rows[0].checksum, result.applied[0].checksum);
    type AuditRow = Record<string, string> & { changes: { file: string; checksum: string } };
    const audit = await withDb(dsn, (c) =>
      c.query<AuditRow>(
        `SELECT actor_type, actor_id, action, resource_type, resource_id, changes FROM audit_logs ORDER BY resource_id`,
      ),
    );
    assert.deepEqual(
      audit.rows.map((r) => [
        r.actor_type,
        r.actor_id,
        r.action,
        r.resource_type,
        r.resource_id,
        r.changes.file,
        r.changes.checksum,
      ]),
      result.applied.map((m) => ["system", "tester@ci", "schema.migrate", "migration", m.file, m.file, m.checksum]),
    );
  });

  it("does nothing on a second up: reads the history once, takes no lock, writes nothing", async () => {
    const dsn = await pg.createDatabase();
    await (await migratorFor(dsn)).up();
    const log: string[] = [];
    const result = await new Migrator({ connect: instrument(await connectTo(dsn), log) }).up();
    assert.deepEqual(result.applied, []);
    assert.equal(log.filter((q) => /FROM schema_migrations\b/.test(q)).length, 1, log.join("\n"));
    assert.equal(log.length, 3, log.join("\n---\n"));
    assert.ok(!log.some((q) => /schema_migrations_lock|INSERT|UPDATE|CREATE/.test(q)), log.join("\n"));
  });

  it("lists pending migrations on a dry run without a lock or any change", async () => {
    const dsn = await pg.createDatabase();
    const log: string[] = [];
    const result = await new Migrator({ connect: instrument(await connectTo(dsn), log) }).up({ dryRun: true });
    assert.equal(result.dryRun, true);
    assert.deepEqual(
      result.pending.map((m) => m.file),
      ["0001_complete_schema.sql", "0002_tenant_row_level_security.sql"],
    );
    assert.ok(!log.some((q) => /schema_migrations_lock|INSERT|CREATE/.test(q)), log.join("\n"));
    assert.equal(await tableExists(dsn, "schema_migrations"), false);
  });

  it("stops on a changed applied file, naming it and both checksums, applying nothing else", async () => {
    const dsn = await pg.createDatabase();
    const dir = migrationsDir();
    const first = await (await migratorFor(dsn, { migrationsDir: dir })).up();
    writeFileSync(path.join(dir, "0002_tenant_row_level_security.sql"), "SELECT 1;\n");
    writeFileSync(
      path.join(dir, "0003_new_table.sql"),
      "CREATE TABLE t3 (id UUID PRIMARY KEY DEFAULT gen_random_uuid());\n",
    );
    const migrator = await migratorFor(dsn, { migrationsDir: dir });
    await assert.rejects(migrator.up(), (error: Error) => {
      assert.match(
        error.message,
        new RegExp(
          `0002_tenant_row_level_security.sql was changed after it was applied \\(applied checksum ${first.applied[1].checksum}, file now [0-9a-f]{64}\\)`,
        ),
      );
      return true;
    });
    assert.equal(await tableExists(dsn, "t3"), false);
    const problems = await migrator.verify();
    assert.equal(problems.length, 1);
    assert.equal((await migrator.status()).migrations[1].state, "changed");
  });

  it("stops when an applied file is missing", async () => {
    const dsn = await pg.createDatabase();
    const dir = migrationsDir({
      "0003_extra.sql": "CREATE TABLE extra (id UUID PRIMARY KEY DEFAULT gen_random_uuid());\n",
    });
    await (await migratorFor(dsn, { migrationsDir: dir })).up();
    rmSync(path.join(dir, "0003_extra.sql"));
    await assert.rejects(
      (await migratorFor(dsn, { migrationsDir: dir })).up(),
      /0003_extra.sql is recorded as applied but its file is gone/,
    );
  });

  it("refuses a new file numbered below the latest applied one unless allowed", async () => {
    const dsn = await pg.createDatabase();
    const dir = migrationsDir({
      "0005_later.sql": "CREATE TABLE later (id UUID PRIMARY KEY DEFAULT gen_random_uuid());\n",
    });
    await (await migratorFor(dsn, { migrationsDir: dir })).up();
    writeFileSync(
      path.join(dir, "0004_earlier.sql"),
      "CREATE TABLE earlier (id UUID PRIMARY KEY DEFAULT gen_random_uuid());\n",
    );
    await assert.rejects(
      (await migratorFor(dsn, { migrationsDir: dir })).up(),
      /0004_earlier.sql is new but numbered below the latest applied migration 0005: renumber it above 0005, or pass --allow-out-of-order/,
    );
    assert.equal(await tableExists(dsn, "earlier"), false);
    const result = await (await migratorFor(dsn, { migrationsDir: dir, allowOutOfOrder: true })).up();
    assert.deepEqual(
      result.applied.map((m) => m.file),
      ["0004_earlier.sql"],
    );
  });

  // A syntax error never reaches the server: the parser refuses the file first (test/dbmigrate/sql/).
  it("names the file, line and SQLSTATE of a server error, and applies nothing of that migration", async () => {
    const dsn = await pg.createDatabase();
    const dir = migrationsDir({
      "0003_broken.sql":
        "-- a comment\nCREATE TABLE fine (id UUID PRIMARY KEY DEFAULT gen_random_uuid());\n\nCREATE TABLE broken (\n  id UUID PRIMARY KEY,\n  name no_such_type NOT NULL\n);\n",
    });
    await assert.rejects(
      (await migratorFor(dsn, { migrationsDir: dir })).up(),
      (error: Error & { describe(): string }) => {
        assert.equal(
          error.describe(),
          `migration 0003_broken.sql failed at line 6: type "no_such_type" does not exist (${path.join(dir, "0003_broken.sql")}:6) [SQLSTATE 42704]. Nothing of it was applied (it ran in one transaction)`,
        );
        return true;
      },
    );
    assert.equal(await tableExists(dsn, "fine"), false);
    assert.equal((await (await migratorFor(dsn, { migrationsDir: dir })).status()).migrations[2].state, "pending");
  });

  it("applies the complete schema to a fresh database as a baseline, then finds nothing pending", async () => {
    const dsn = await pg.createDatabase();
    const result = await (await migratorFor(dsn)).applyComplete();
    assert.deepEqual(
      result.applied.map((m) => m.file),
      ["0001_complete_schema.sql", "0002_tenant_row_level_security.sql"],
    );
    assert.ok(result.seed?.customerId);
    const rows = await withDb(dsn, (c) => c.query(`SELECT baseline FROM schema_migrations`));
    assert.deepEqual(
      rows.rows.map((r) => r.baseline),
      [true, true],
    );
    const status = await (await migratorFor(dsn)).status();
    assert.equal(status.pending, 0);
    assert.deepEqual(status.problems, []);
    assert.deepEqual((await (await migratorFor(dsn)).up()).applied, []);
  });

  it("refuses apply-complete when any application table exists", async () => {
    const dsn = await pg.createDatabase();
    await withDb(dsn, (c) => c.query(`CREATE TABLE customers (id UUID PRIMARY KEY)`));
    await assert.rejects((await migratorFor(dsn)).applyComplete(), (error: Error & { describe(): string }) => {
      assert.equal(
        error.describe(),
        "refusing to apply the complete schema: the database is not empty (it has customers). apply-complete is for a fresh database; use `dbmigrate up` for an existing one",
      );
      return true;
    });
  });

  it("refuses a stale complete schema", async () => {
    const dsn = await pg.createDatabase();
    const dir = migrationsDir();
    writeFileSync(path.join(dir, "0002_tenant_row_level_security.sql"), "SELECT 1;\n");
    await assert.rejects(
      (await migratorFor(dsn, { migrationsDir: dir })).applyComplete(),
      /the complete schema is stale: its section 0002_tenant_row_level_security.sql differs/,
    );
    assert.equal(await tableExists(dsn, "customers"), false);
  });

  it("drops everything it created", async () => {
    const dsn = await pg.createDatabase();
    await (await migratorFor(dsn)).up();
    await (await migratorFor(dsn)).dropAll();
    const rows = await withDb(dsn, (c) =>
      c.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`),
    );
    assert.deepEqual(rows.rows, []);
  });

  it("uses a statement timeout: a statement past it fails with 57014, naming the file", async () => {
    const dsn = await pg.createDatabase();
    const dir = migrationsDir({ "0003_slow.sql": "SELECT pg_sleep(2);\n" });
    const connect = await createConnect({ dsn }, { statementTimeoutMs: 200 });
    await assert.rejects(
      new Migrator({ connect, migrationsDir: dir }).up(),
      (error: Error & { describe(): string }) => {
        assert.match(
          error.describe(),
          /^migration 0003_slow.sql failed at line 1: canceling statement due to statement timeout .*\[SQLSTATE 57014\]/,
        );
        return true;
      },
    );
  });

  it("records a migration needing a missing feature as skipped and says why", async () => {
    const dsn = await pg.createDatabase();
    const logger = recordingLogger();
    // A CockroachDB 24.1 server has no row-level security: the report says CockroachDB, the SQL runs on PostgreSQL.
    const connect = await connectTo(dsn);
    const fakeVersion = instrumentVersion(connect, "CockroachDB CCL v24.1.3 (x86_64-pc-linux-gnu)");
    const result = await new Migrator({ connect: fakeVersion, logger }).up();
    assert.deepEqual(
      result.applied.map((m) => [m.file, m.outcome]),
      [
        ["0001_complete_schema.sql", "applied"],
        ["0002_tenant_row_level_security.sql", "skipped"],
      ],
    );
    assert.ok(
      logger.lines.some((l) =>
        l.includes(
          "skipped 0002_tenant_row_level_security.sql: row-level security needs PostgreSQL or CockroachDB 25.2+",
        ),
      ),
      logger.lines.join("\n"),
    );
    const status = await new Migrator({ connect: fakeVersion }).status();
    assert.equal(status.migrations[1].state, "skipped");
    assert.equal(status.pending, 0);
  });
});

/** A Connect whose `SELECT version()` answers `version`. */
function instrumentVersion(connect: Awaited<ReturnType<typeof connectTo>>, version: string) {
  return async () => {
    const client = await connect();
    return {
      query: ((text: string, values?: unknown[]) =>
        text.startsWith("SELECT version()")
          ? Promise.resolve({ rows: [{ version }], rowCount: 1 })
          : client.query(text, values)) as typeof client.query,
      end: () => client.end(),
    };
  };
}
