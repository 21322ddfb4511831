/**
 * The engine on a real PostgreSQL with made-up migrations (through the FileReader seam), in a loop
 * over both paths where both apply: plan states, up, history, audit, resolve, drop.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createConnect } from "../../dbmigrate/connection";
import { recordingLogger, connectTo, withDb } from "../support/engine";
import { instrument } from "../support/faults";
import { AUDIT_TABLE, auditSteps, madeUp, PATHS, table, TWO } from "../support/made-up";
import { startPostgres, type TestPostgres } from "../support/postgres";

let pg: TestPostgres;
before(async () => {
  pg = await startPostgres();
});
after(() => pg?.stop());

const tableExists = (dsn: string, name: string) =>
  withDb(
    dsn,
    async (c) =>
      (await c.query(`SELECT 1 FROM information_schema.tables WHERE table_name = $1`, [name])).rows.length === 1,
  );

describe("engine", () => {
  it("reports every migration pending on a fresh database", async () => {
    const report = await madeUp(await connectTo(await pg.createDatabase()), TWO).status();
    assert.equal(report.engine, "postgres");
    assert.match(report.serverVersion, /^PostgreSQL \d+/);
    assert.match(report.activeVersion, /^\d{6}$/, "features are decided from server_version_num");
    assert.deepEqual(
      report.migrations.map((m) => [m.file, m.state, m.appliedAt]),
      [
        ["0001_first.sql", "pending", null],
        ["0002_second.sql", "pending", null],
      ],
    );
    assert.equal(report.pending, 2);
  });

  for (const engine of PATHS) {
    it(`${engine} path: applies, records history with duration and author, and one audit row per migration with it`, async () => {
      const dsn = await pg.createDatabase();
      const logger = recordingLogger();
      const files = { "0001_audit.sql": AUDIT_TABLE, ...{ "0002_second.sql": TWO["0002_second.sql"] } };
      const result = await madeUp(await connectTo(dsn), files, {
        engine,
        logger,
        appliedBy: "tester@ci",
        product: auditSteps("tester@ci"),
      }).up();
      assert.deepEqual(
        result.applied.map((m) => [m.file, m.outcome, m.engine]),
        [
          ["0001_audit.sql", "applied", engine],
          ["0002_second.sql", "applied", engine],
        ],
      );
      assert.equal(result.schemaVersion, 2);
      assert.ok(
        logger.lines.some((l) => /^applied 0001_audit.sql in \d+ ms$/.test(l)),
        logger.lines.join("\n"),
      );
      const history = await withDb(dsn, (c) =>
        c.query(
          `SELECT version, file, applied_by, dirty, baseline, execution_ms >= 0 AS timed, applied_at IS NOT NULL AS done FROM schema_migrations ORDER BY version`,
        ),
      );
      assert.deepEqual(
        history.rows.map((r) => [r.version, r.file, r.applied_by, r.dirty, r.baseline, r.timed, r.done]),
        [
          ["1", "0001_audit.sql", "tester@ci", false, false, true, true],
          ["2", "0002_second.sql", "tester@ci", false, false, true, true],
        ],
      );
      type AuditRow = Record<string, string> & { changes: { file: string; checksum: string; engine: string } };
      const audit = await withDb(dsn, (c) =>
        c.query<AuditRow>(
          `SELECT actor_type, actor_id, action, resource_id, changes FROM audit_logs ORDER BY resource_id`,
        ),
      );
      assert.deepEqual(
        audit.rows.map((r) => [
          r.actor_type,
          r.actor_id,
          r.action,
          r.resource_id,
          r.changes.checksum,
          r.changes.engine,
        ]),
        result.applied.map((m) => ["system", "tester@ci", "schema.migrate", m.file, m.checksum, engine]),
      );
    });

    it(`${engine} path: an audit row that cannot be written leaves its migration unrecorded, and the error names what was applied before`, async () => {
      const dsn = await pg.createDatabase();
      // 0002 drops the audit table: its own audit row cannot be written.
      const files = { "0001_audit.sql": AUDIT_TABLE, "0002_drop.sql": "DROP TABLE audit_logs;\n" };
      await assert.rejects(
        madeUp(await connectTo(dsn), files, { engine, product: auditSteps("tester") }).up(),
        (error: Error & { progress?: { applied: string[] } }) => {
          assert.deepEqual(error.progress?.applied, ["0001_audit.sql"]);
          return true;
        },
      );
      const rows = await withDb(dsn, (c) => c.query(`SELECT version, dirty FROM schema_migrations ORDER BY version`));
      const expected =
        engine === "postgres"
          ? [{ version: "1", dirty: false }]
          : [
              { version: "1", dirty: false },
              { version: "2", dirty: true },
            ];
      assert.deepEqual(rows.rows, expected, "never recorded as applied without its audit row");
    });
  }

  it("does nothing on a second up: identifies the server, reads the history once, takes no lock, writes nothing", async () => {
    const dsn = await pg.createDatabase();
    await madeUp(await connectTo(dsn), TWO).up();
    const log: string[] = [];
    const result = await madeUp(instrument(await connectTo(dsn), log), TWO).up();
    assert.deepEqual(result.applied, []);
    assert.equal(log.filter((q) => /FROM "public"\.schema_migrations\b/.test(q)).length, 1, log.join("\n"));
    assert.ok(!log.some((q) => /schema_migrations_lock|INSERT|UPDATE|CREATE/.test(q)), log.join("\n"));
  });

  it("lists pending migrations on a dry run without a lock or any change", async () => {
    const dsn = await pg.createDatabase();
    const log: string[] = [];
    const result = await madeUp(instrument(await connectTo(dsn), log), TWO).up({ dryRun: true });
    assert.equal(result.dryRun, true);
    assert.deepEqual(
      result.pending.map((m) => m.file),
      ["0001_first.sql", "0002_second.sql"],
    );
    assert.ok(!log.some((q) => /schema_migrations_lock|INSERT|CREATE/.test(q)), log.join("\n"));
    assert.equal(await tableExists(dsn, "schema_migrations"), false);
  });

  it("stops on a changed applied file, naming it and both checksums, applying nothing else", async () => {
    const dsn = await pg.createDatabase();
    const files = { ...TWO };
    const first = await madeUp(await connectTo(dsn), files).up();
    files["0002_second.sql"] = "SELECT 1;\n";
    files["0003_new.sql"] = `${table("t3")}\n`;
    const migrator = madeUp(await connectTo(dsn), files);
    await assert.rejects(
      migrator.up(),
      new RegExp(
        `0002_second.sql was changed after it was applied \\(applied checksum ${first.applied[1].checksum}, file now [0-9a-f]{64}\\)`,
      ),
    );
    assert.equal(await tableExists(dsn, "t3"), false);
    assert.equal((await migrator.verify()).length, 1);
    assert.equal((await migrator.status()).migrations[1].state, "changed");
  });

  it("stops when an applied file is missing", async () => {
    const dsn = await pg.createDatabase();
    const files = { ...TWO };
    await madeUp(await connectTo(dsn), files).up();
    delete files["0002_second.sql"];
    await assert.rejects(
      madeUp(await connectTo(dsn), files).up(),
      /0002_second.sql is recorded as applied but its file is gone/,
    );
  });

  it("refuses a new file numbered below the latest applied one unless allowed", async () => {
    const dsn = await pg.createDatabase();
    const files: Record<string, string> = { "0005_later.sql": `${table("later")}\n` };
    await madeUp(await connectTo(dsn), files).up();
    files["0004_earlier.sql"] = `${table("earlier")}\n`;
    await assert.rejects(
      madeUp(await connectTo(dsn), files).up(),
      /0004_earlier.sql is new but numbered below the latest applied migration 0005: renumber it above 0005, or pass --allow-out-of-order/,
    );
    assert.equal(await tableExists(dsn, "earlier"), false);
    const result = await madeUp(await connectTo(dsn), files, { allowOutOfOrder: true }).up();
    assert.deepEqual(
      result.applied.map((m) => m.file),
      ["0004_earlier.sql"],
    );
  });

  // A syntax error never reaches the server: the parser refuses the file first (test/dbmigrate/sql/).
  it("names the file, line and SQLSTATE of a server error, and applies nothing of that migration", async () => {
    const dsn = await pg.createDatabase();
    const files = {
      "0003_broken.sql": `-- a comment\n${table("fine")}\n\nCREATE TABLE broken (\n  id UUID PRIMARY KEY,\n  name no_such_type NOT NULL\n);\n`,
    };
    await assert.rejects(madeUp(await connectTo(dsn), files).up(), (error: Error & { describe(): string }) => {
      assert.equal(
        error.describe(),
        `migration 0003_broken.sql failed at line 6: type "no_such_type" does not exist (made-up/0003_broken.sql:6) [SQLSTATE 42704]. Nothing of it was applied (it ran in one transaction)`,
      );
      return true;
    });
    assert.equal(await tableExists(dsn, "fine"), false);
    assert.equal((await madeUp(await connectTo(dsn), files).status()).migrations[0].state, "pending");
  });

  it("drops everything it created", async () => {
    const dsn = await pg.createDatabase();
    await madeUp(await connectTo(dsn), TWO).up();
    await madeUp(await connectTo(dsn), TWO).teardown();
    const rows = await withDb(dsn, (c) =>
      c.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`),
    );
    assert.deepEqual(rows.rows, []);
  });

  it("uses a statement timeout: a statement past it fails with 57014, naming the file", async () => {
    const dsn = await pg.createDatabase();
    const connect = await createConnect({ dsn }, { statementTimeoutMs: 200 });
    await assert.rejects(
      madeUp(connect, { "0003_slow.sql": "SELECT pg_sleep(2);\n" }).up(),
      (error: Error & { describe(): string }) => {
        assert.match(
          error.describe(),
          /^migration 0003_slow.sql failed at line 1: canceling statement due to statement timeout .*\[SQLSTATE 57014\]/,
        );
        return true;
      },
    );
  });
});
