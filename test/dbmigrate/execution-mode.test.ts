/**
 * Statements PostgreSQL cannot run in a transaction block: their file runs outside a transaction,
 * statement by statement, with the same progress and resume as the CockroachDB path; every other
 * file keeps its one transaction. On a real PostgreSQL.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { executionMode } from "../../dbmigrate/executors/execution-mode";
import { parseMigration } from "../../dbmigrate/migrations";
import { connectTo, recordingLogger, withDb } from "../support/engine";
import { failTimes, instrument } from "../support/faults";
import { madeUp, table } from "../support/made-up";
import { startPostgres, type TestPostgres } from "../support/postgres";

let pg: TestPostgres;
before(async () => {
  pg = await startPostgres();
});
after(() => pg?.stop());

const modeOf = async (text: string) => executionMode("postgres", (await parseMigration("0001_x.sql", text)).statements);

describe("execution mode", () => {
  it("is decided from the parsed file: CONCURRENTLY, VACUUM, an enum value used later, or a directive; otherwise one transaction", async () => {
    const cases: [string, string, RegExp | undefined][] = [
      ["plain", `${table("t")}\nCREATE INDEX t_i ON t (id);\n`, undefined],
      [
        "create index concurrently",
        `${table("t")}\nCREATE INDEX CONCURRENTLY t_i ON t (id);\n`,
        /CREATE INDEX CONCURRENTLY/,
      ],
      ["drop index concurrently", `DROP INDEX CONCURRENTLY IF EXISTS t_i;\n`, /DROP INDEX CONCURRENTLY/],
      ["reindex concurrently", `REINDEX INDEX CONCURRENTLY t_i;\n`, /REINDEX CONCURRENTLY/],
      ["vacuum", `VACUUM t;\n`, /VACUUM/],
      ["analyze alone", `ANALYZE t;\n`, undefined],
      ["enum value used later", `ALTER TYPE mood ADD VALUE 'meh';\nUPDATE t SET m = 'meh';\n`, /ADD VALUE 'meh'/],
      ["enum value not used", `ALTER TYPE mood ADD VALUE 'meh';\n`, undefined],
      ["directive", `-- dbmigrate:no-transaction\n${table("t")}\n`, /dbmigrate:no-transaction/],
      ["atlas directive", `-- atlas:txmode none\n${table("t")}\n`, /atlas:txmode none/],
    ];
    for (const [name, text, reason] of cases) {
      const decision = await modeOf(text);
      assert.equal(decision.mode, reason ? "statements" : "transaction", name);
      if (reason) assert.match(decision.reason ?? "", reason, name);
    }
    assert.equal(executionMode("cockroachdb", []).mode, "statements");
  });

  it("CREATE INDEX CONCURRENTLY applies (it failed with 25001 in a transaction), said once, recorded with its mode; the index is valid", async () => {
    const dsn = await pg.createDatabase();
    const logger = recordingLogger();
    const files = {
      "0001_t.sql": `${table("t")}\n`,
      "0002_idx.sql": `-- An index built without blocking writes.\nCREATE INDEX CONCURRENTLY t_id_idx ON t (id);\nDROP INDEX CONCURRENTLY IF EXISTS nothing_here;\n`,
    };
    const result = await madeUp(await connectTo(dsn), files, { logger }).up();
    assert.deepEqual(
      result.applied.map((m) => [m.file, m.mode]),
      [
        ["0001_t.sql", "transaction"],
        ["0002_idx.sql", "statements"],
      ],
    );
    assert.equal(
      logger.lines.filter((l) =>
        /^applying 0002_idx\.sql outside a transaction, statement by statement \(line 2: CREATE INDEX CONCURRENTLY cannot run inside a transaction block\)/.test(
          l,
        ),
      ).length,
      1,
      logger.lines.join("\n"),
    );
    const index = await withDb(dsn, (c) =>
      c.query(
        `SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 't_id_idx'`,
      ),
    );
    assert.deepEqual(index.rows, [{ indisvalid: true }]);
    const history = await withDb(dsn, (c) =>
      c.query(`SELECT version, dirty, statements_total, statements_done FROM schema_migrations ORDER BY version`),
    );
    assert.deepEqual(history.rows, [
      { version: "1", dirty: false, statements_total: null, statements_done: "0" },
      { version: "2", dirty: false, statements_total: "2", statements_done: "2" },
    ]);
    const again = await madeUp(await connectTo(dsn), files).up();
    assert.deepEqual(again.applied, [], "second up is a no-op");
  });

  it("a failure after CONCURRENTLY leaves the file dirty at that statement; the next up resumes there without resolve", async () => {
    const dsn = await pg.createDatabase();
    const files = {
      "0001_conc.sql": `${table("t")}\nCREATE INDEX CONCURRENTLY t_id_idx ON t (id);\n${table("after_index")}\n`,
    };
    const failing = instrument(await connectTo(dsn), [], [failTimes(/^CREATE TABLE after_index/, "42501", 1)]);
    await assert.rejects(madeUp(failing, files).up(), (error: Error & { hint?: string }) => {
      assert.match(
        error.hint ?? "",
        /this file runs outside a transaction, each statement on its own\) and the migration is dirty at statement 3 of 3/,
      );
      assert.match(error.hint ?? "", /`dbmigrate up` resumes at statement 3 \(no `resolve` needed\)/);
      return true;
    });
    const status = await madeUp(await connectTo(dsn), files).status();
    assert.equal(status.migrations[0].state, "dirty");
    assert.equal(status.migrations[0].progress?.resumeAt, 2);
    const resumed = await madeUp(await connectTo(dsn), files).up();
    assert.deepEqual(
      resumed.applied.map((m) => [m.file, m.resumedAt, m.mode]),
      [["0001_conc.sql", 3, "statements"]],
    );
  });

  it("SET LOCAL in a file run statement by statement holds until the end of that migration (PostgreSQL ignores it outside a transaction)", async () => {
    const dsn = await pg.createDatabase();
    const files = {
      "0001_schema.sql": `CREATE SCHEMA app;\n`,
      "0002_local.sql": `SET LOCAL search_path = app, public;\n${table("in_app")}\nCREATE INDEX CONCURRENTLY in_app_id ON in_app (id);\n`,
      "0003_after.sql": `${table("in_public")}\n`,
    };
    await madeUp(await connectTo(dsn), files).up();
    const tables = await withDb(dsn, (c) =>
      c.query(
        `SELECT table_schema, table_name FROM information_schema.tables WHERE table_name IN ('in_app', 'in_public') ORDER BY 2`,
      ),
    );
    assert.deepEqual(
      tables.rows.map((r) => [r.table_schema, r.table_name]),
      [
        ["app", "in_app"],
        ["public", "in_public"],
      ],
    );
  });

  it("a failed CREATE UNIQUE INDEX CONCURRENTLY names the INVALID index PostgreSQL left and how to drop it", async () => {
    const dsn = await pg.createDatabase();
    const files: Record<string, string> = {
      "0001_t.sql": "CREATE TABLE ct (id BIGINT, v TEXT);\nINSERT INTO ct VALUES (1, 'dup'), (2, 'dup');\n",
      "0002_uniq.sql": "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ct_v_uniq ON ct (v);\n",
    };
    await assert.rejects(madeUp(await connectTo(dsn), files).up(), (error: Error & { hint?: string }) => {
      assert.match(error.message, /0002_uniq\.sql failed at line 1: could not create unique index "ct_v_uniq"/);
      assert.match(
        error.hint ?? "",
        /PostgreSQL left the INVALID index public\.ct_v_uniq behind: drop it \(DROP INDEX CONCURRENTLY public\.ct_v_uniq\)/,
      );
      return true;
    });
    // Run again without dropping it: IF NOT EXISTS keeps the INVALID index and builds nothing.
    // That is refused, not recorded as applied (verify would pass with an index enforcing nothing).
    await withDb(dsn, (c) => c.query(`DELETE FROM ct WHERE id = 2`));
    await assert.rejects(madeUp(await connectTo(dsn), files).up(), (error: Error & { hint?: string }) => {
      assert.match(error.message, /0002_uniq\.sql failed at line 1: index ct_v_uniq exists but is INVALID/);
      assert.match(error.hint ?? "", /DROP INDEX CONCURRENTLY public\.ct_v_uniq/);
      return true;
    });
    const history = await withDb(dsn, (c) => c.query(`SELECT version FROM schema_migrations WHERE NOT dirty`));
    assert.deepEqual(
      history.rows.map((r) => Number(r.version)),
      [1],
      "0002 is not recorded as applied",
    );
    // Dropped as the line says, the next up builds it.
    await withDb(dsn, (c) => c.query(`DROP INDEX CONCURRENTLY public.ct_v_uniq`));
    const applied = await madeUp(await connectTo(dsn), files).up();
    assert.deepEqual(
      applied.applied.map((m) => m.file),
      ["0002_uniq.sql"],
    );
    const valid = await withDb(dsn, (c) =>
      c.query(`SELECT indisvalid FROM pg_index WHERE indexrelid = 'public.ct_v_uniq'::regclass`),
    );
    assert.equal(valid.rows[0].indisvalid, true);
  });
});
