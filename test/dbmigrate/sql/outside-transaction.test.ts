/**
 * Statements PostgreSQL refuses in a transaction block are flagged by the parser layer, and a
 * file holding one is flagged as a whole, so the engine can run it statement by statement.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseSql } from "../../../dbmigrate/sql/parse";

async function reasons(sql: string): Promise<(string | undefined)[]> {
  return (await parseSql(sql, "x.sql")).statements.map((s) => s.outsideTransactionReason);
}

describe("statements that run outside a transaction", () => {
  const outside: [string, string][] = [
    ["CREATE INDEX CONCURRENTLY i ON t (a)", "CREATE INDEX CONCURRENTLY"],
    ["CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS i ON s.t (a)", "CREATE INDEX CONCURRENTLY"],
    ["DROP INDEX CONCURRENTLY i", "DROP INDEX CONCURRENTLY"],
    ["REINDEX INDEX CONCURRENTLY i", "REINDEX CONCURRENTLY"],
    ["REINDEX (CONCURRENTLY) TABLE t", "REINDEX CONCURRENTLY"],
    ["REINDEX DATABASE d", "REINDEX DATABASE/SYSTEM"],
    ["VACUUM t", "VACUUM"],
    ["VACUUM (ANALYZE) t", "VACUUM"],
    ["CREATE DATABASE d", "CREATE DATABASE"],
    ["DROP DATABASE d", "DROP DATABASE"],
    ["ALTER SYSTEM SET work_mem = '64MB'", "ALTER SYSTEM"],
    ["CREATE TABLESPACE x LOCATION '/x'", "CREATE TABLESPACE"],
    ["ALTER TABLE p DETACH PARTITION c CONCURRENTLY", "ALTER TABLE … DETACH PARTITION … CONCURRENTLY"],
    ["CLUSTER", "CLUSTER without a table"],
    ["DISCARD ALL", "DISCARD ALL"],
  ];
  for (const [sql, reason] of outside) {
    it(`flags ${sql}`, async () => {
      const parsed = await parseSql(`${sql};\n`, "x.sql");
      assert.equal(parsed.statements[0].runsOutsideTransaction, true);
      assert.equal(parsed.statements[0].outsideTransactionReason, reason);
      assert.equal(parsed.runsOutsideTransaction, true);
    });
  }

  const inside = [
    "CREATE INDEX i ON t (a)",
    "DROP INDEX i",
    "REINDEX INDEX i",
    "ANALYZE t",
    "CLUSTER t USING i",
    "ALTER TABLE p DETACH PARTITION c",
    "DISCARD PLANS",
    "ALTER TYPE mood ADD VALUE 'meh'",
  ];
  for (const sql of inside) {
    it(`leaves ${sql} in the transaction`, async () => {
      const parsed = await parseSql(`${sql};\n`, "x.sql");
      assert.equal(parsed.statements[0].runsOutsideTransaction, false);
      assert.equal(parsed.runsOutsideTransaction, false);
    });
  }

  it("flags ALTER TYPE … ADD VALUE when a later statement of the file uses the new value", async () => {
    const sql = "ALTER TYPE mood ADD VALUE 'meh';\nUPDATE people SET mood = 'meh' WHERE id = 1;\n";
    assert.deepEqual(await reasons(sql), [
      "ALTER TYPE … ADD VALUE 'meh' (a later statement uses the new value)",
      undefined,
    ]);
    const unused = "ALTER TYPE mood ADD VALUE 'meh';\nUPDATE people SET mood = 'sad' WHERE id = 1;\n";
    assert.deepEqual(await reasons(unused), [undefined, undefined]);
  });

  it("keeps a CREATE SUBSCRIPTION without a slot in the transaction", async () => {
    const base = "CREATE SUBSCRIPTION s CONNECTION 'host=x' PUBLICATION p";
    assert.deepEqual(await reasons(`${base} WITH (create_slot = false);`), [undefined]);
    assert.deepEqual(await reasons(`${base};`), ["CREATE SUBSCRIPTION (it creates a replication slot)"]);
  });
});
