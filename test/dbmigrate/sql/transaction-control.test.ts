/**
 * Transaction control anywhere in a migration, including the PL/pgSQL bodies of DO blocks,
 * functions and procedures, is found by the parser layer and refused before anything runs.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { lintSources } from "../../../dbmigrate/lint/lint";
import { parseMigration } from "../../../dbmigrate/migrations";
import { parseSql } from "../../../dbmigrate/sql/parse";
import { transactionControlOf } from "../../../dbmigrate/sql/transaction-control";

async function controls(sql: string): Promise<(string | undefined)[]> {
  return (await parseSql(sql, "x.sql")).statements.map((s) => transactionControlOf(s));
}

describe("transaction control in procedural bodies", () => {
  it("finds COMMIT in a DO block, with its line in the file", async () => {
    const sql = "SELECT 1;\n\nDO $$\nBEGIN\n  PERFORM 1;\n  COMMIT;\nEND\n$$;\n";
    assert.deepEqual(await controls(sql), [undefined, "COMMIT in a DO block (line 6)"]);
  });

  it("finds ROLLBACK nested in a procedure's IF, and COMMIT in an exception handler of a function", async () => {
    const procedure =
      "CREATE OR REPLACE PROCEDURE s.p(n int)\nLANGUAGE plpgsql\nAS $$\nBEGIN\n  n := 1;\n  IF n > 0 THEN\n    ROLLBACK;\n  END IF;\nEND $$;\n";
    assert.deepEqual(await controls(procedure), ["ROLLBACK in procedure s.p (line 7)"]);
    const fn =
      "CREATE FUNCTION f() RETURNS void AS $f$\nBEGIN\n  PERFORM 1;\nEXCEPTION WHEN others THEN\n  COMMIT;\nEND\n$f$ LANGUAGE plpgsql;\n";
    assert.deepEqual(await controls(fn), ["COMMIT in function f (line 5)"]);
  });

  it("leaves bodies without transaction control, SQL bodies and other languages alone", async () => {
    const sql = [
      "DO $$ BEGIN RAISE NOTICE 'commit;'; END $$;",
      "CREATE FUNCTION g() RETURNS int LANGUAGE sql AS 'SELECT 1';",
      "CREATE PROCEDURE q() LANGUAGE sql BEGIN ATOMIC SELECT 1; END;",
      "CREATE FUNCTION h() RETURNS int LANGUAGE plperl AS $$ return 1; $$;",
    ].join("\n");
    assert.deepEqual(await controls(sql), [undefined, undefined, undefined, undefined]);
  });

  it("refuses such a migration when it is loaded, naming the statement's line", async () => {
    const sql = "CREATE TABLE t (id int);\nDO $$\nBEGIN\n  INSERT INTO t VALUES (1);\n  COMMIT;\nEND $$;\n";
    await assert.rejects(parseMigration("0001_x.sql", sql), (error: Error & { line?: number }) => {
      assert.match(error.message, /transaction control \(COMMIT in a DO block \(line 5\)\)/);
      assert.equal(error.line, 2);
      return true;
    });
  });

  it("is a lint error", async () => {
    const report = await lintSources([{ file: "x.sql", text: "DO $$ BEGIN COMMIT; END $$;\n" }], { squawk: false });
    const hit = report.findings.find((f) => f.rule === "transaction-control");
    assert.match(hit?.message ?? "", /COMMIT in a DO block/);
    assert.equal(hit?.severity, "error");
  });
});
