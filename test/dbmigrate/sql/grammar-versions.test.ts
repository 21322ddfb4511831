/**
 * Syntax PostgreSQL 18's grammar accepts and PostgreSQL 15's (the oldest supported) rejects is
 * found, with the oldest version that accepts it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { newerSyntaxIn, OLDEST_POSTGRES_MAJOR } from "../../../dbmigrate/sql/grammar-versions";
import { parseSql } from "../../../dbmigrate/sql/parse";

async function newer(text: string): Promise<[number, number, string][]> {
  const parsed = await parseSql(text, "x.sql");
  return (await newerSyntaxIn(text, parsed.statements)).map((f) => [f.statement.line, f.needs, f.message]);
}

describe("grammar versions", () => {
  it("supports PostgreSQL 15 and up", () => {
    assert.equal(OLDEST_POSTGRES_MAJOR, 15);
  });

  it("names the version each newer statement needs, and leaves the others alone", async () => {
    const text = [
      "CREATE TABLE t (a int, b jsonb);",
      "SELECT * FROM (SELECT 1);",
      "SELECT JSON_OBJECT('a': 1);",
      "MERGE INTO t USING t AS s ON t.a = s.a WHEN MATCHED THEN DELETE RETURNING *;",
      "SELECT a FROM t WHERE a = ANY('{1}');",
    ].join("\n");
    assert.deepEqual(await newer(text), [
      [2, 16, "subquery in FROM must have an alias"],
      [3, 16, 'syntax error at or near ":"'],
      [4, 17, 'syntax error at or near "RETURNING"'],
    ]);
  });

  it("finds nothing in a file PostgreSQL 15 accepts", async () => {
    assert.deepEqual(await newer("CREATE TABLE IF NOT EXISTS t (a int);\nSELECT * FROM (SELECT 1) AS s;\n"), []);
  });
});
