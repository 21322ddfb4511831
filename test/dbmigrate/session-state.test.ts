/**
 * Each migration starts from the same session state: what a migration sets (search_path,
 * statement_timeout, lock_timeout, role) lasts until its end, never into the engine's writes or
 * the next migration. On a real PostgreSQL, on both paths.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { createConnect } from "../../dbmigrate/connection";
import { DEFAULT_DDL_LOCK_TIMEOUT_MS } from "../../dbmigrate/settings/defaults";
import { connectTo, withDb } from "../support/engine";
import { failTimes, instrument } from "../support/faults";
import { madeUp, PATHS, table } from "../support/made-up";
import { startPostgres, type TestPostgres } from "../support/postgres";

let pg: TestPostgres;
before(async () => {
  pg = await startPostgres();
});
after(() => pg?.stop());

/** A migration that records the session it runs in. */
const RECORD_SESSION = `CREATE TABLE public.seen AS
  SELECT current_setting('search_path') AS search_path, current_setting('statement_timeout') AS statement_timeout,
         current_setting('lock_timeout') AS lock_timeout, current_user::TEXT AS who;\n`;

describe("session state between migrations", () => {
  for (const engine of PATHS) {
    it(`${engine} path: SET search_path, statement_timeout, lock_timeout and ROLE in one migration do not reach the next one nor the history`, async () => {
      const dsn = await pg.createDatabase("options=-c%20search_path%3Dapp%2Cpublic");
      const role = `mig_${randomBytes(4).toString("hex")}`;
      const files = {
        "0001_sets.sql": [
          `CREATE SCHEMA other;`,
          `CREATE ROLE ${role};`,
          `GRANT USAGE, CREATE ON SCHEMA other TO ${role};`,
          `SET search_path = other;`,
          `SET statement_timeout = 0;`,
          `SET lock_timeout = '1ms';`,
          `SET ROLE ${role};`,
          `${table("in_other")}`,
          "",
        ].join("\n"),
        "0002_records.sql": RECORD_SESSION,
      };
      const result = await madeUp(await connectTo(dsn), files, { engine }).up();
      assert.deepEqual(
        result.applied.map((m) => m.file),
        ["0001_sets.sql", "0002_records.sql"],
      );
      // What a fresh engine session has: the DSN's search_path and the engine's statement timeout.
      const fresh = await withDb(dsn, (c) =>
        c.query(
          `SELECT current_setting('search_path') AS search_path, current_setting('statement_timeout') AS statement_timeout,
                  current_setting('lock_timeout') AS lock_timeout, current_user::TEXT AS who`,
        ),
      );
      const seen = await withDb(dsn, (c) => c.query(`SELECT * FROM public.seen`));
      // ... except lock_timeout, which the engine sets for every migration (not 0001's 1 ms).
      const engineLockTimeout = `${DEFAULT_DDL_LOCK_TIMEOUT_MS / 1000}s`;
      const expected: Record<string, unknown> = { ...fresh.rows[0], lock_timeout: engineLockTimeout };
      assert.deepEqual(seen.rows, [expected]);
      assert.equal(seen.rows[0].who, "postgres");
      const placed = await withDb(dsn, (c) =>
        c.query(
          `SELECT table_schema, tableowner FROM information_schema.tables t JOIN pg_tables p ON p.schemaname = t.table_schema AND p.tablename = t.table_name WHERE table_name = 'in_other'`,
        ),
      );
      assert.deepEqual(placed.rows, [{ table_schema: "other", tableowner: role }], "the SETs held within 0001");
      const history = await withDb(dsn, (c) => c.query(`SELECT count(*)::INT AS n FROM public.schema_migrations`));
      assert.equal(history.rows[0].n, 2);
    });

    it(`${engine} path: SET statement_timeout = 0 in a migration does not lift --statement-timeout for the next one`, async () => {
      const dsn = await pg.createDatabase();
      const files = {
        "0001_lift.sql": `SET statement_timeout = 0;\n${table("lifted")}\n`,
        "0002_slow.sql": `SELECT pg_sleep(3);\n${table("slow")}\n`,
      };
      const connect = await createConnect({ dsn }, { statementTimeoutMs: 1000 });
      await assert.rejects(madeUp(connect, files, { engine }).up(), (error: Error & { sqlState?: string }) => {
        assert.match(error.message, /0002_slow\.sql failed at line 1: canceling statement due to statement timeout/);
        assert.equal(error.sqlState, "57014");
        return true;
      });
    });
  }

  it("statement-by-statement path: a resumed migration re-runs the SETs before its resume point, so its later statements land where the first run's would have", async () => {
    const dsn = await pg.createDatabase();
    const files = {
      "0001_elsewhere.sql": `CREATE SCHEMA other;\nSET search_path = other;\n${table("a")}\n${table("b")}\n`,
    };
    const failing = instrument(await connectTo(dsn), [], [failTimes(/^CREATE TABLE b/, "42P01", 1)]);
    await assert.rejects(madeUp(failing, files, { engine: "cockroachdb" }).up(), (error: Error & { hint?: string }) => {
      assert.match(error.hint ?? "", /dirty at statement 4 of 4/);
      return true;
    });
    const resumed = await madeUp(await connectTo(dsn), files, { engine: "cockroachdb" }).up();
    assert.equal(resumed.applied[0].resumedAt, 4);
    const tables = await withDb(dsn, (c) =>
      c.query(
        `SELECT table_schema, table_name FROM information_schema.tables WHERE table_name IN ('a', 'b') ORDER BY 2`,
      ),
    );
    assert.deepEqual(
      tables.rows.map((r) => [r.table_schema, r.table_name]),
      [
        ["other", "a"],
        ["other", "b"],
      ],
    );
  });
});
