/**
 * Which statement owns a comment: the one it precedes or sits in, or the one whose last line it
 * ends; never one above it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseSql } from "../../../dbmigrate/sql/parse";

async function owners(sql: string): Promise<string[][]> {
  return (await parseSql(sql, "x.sql")).statements.map((s) => s.comments.map((c) => c.text));
}

describe("comments on statements", () => {
  it("gives a comment to the statement below it, or to the one whose last line it ends", async () => {
    const sql = "-- a\nSELECT 1; -- b\n-- c\nSELECT 2 /* d */ + 1;\n";
    assert.deepEqual(await owners(sql), [
      ["-- a", "-- b"],
      ["-- c", "/* d */"],
    ]);
  });

  it("gives a comment below the last statement to no statement", async () => {
    const parsed = await parseSql("SELECT 1;\nSELECT 2;\n\n\n-- dbmigrate:allow x reason\n", "x.sql");
    assert.deepEqual(
      parsed.statements.map((s) => s.comments.length),
      [0, 0],
    );
    assert.deepEqual(
      parsed.comments.map((c) => [c.text, c.line]),
      [["-- dbmigrate:allow x reason", 5]],
    );
  });

  it("gives a comment between a statement and its own `;` to that statement", async () => {
    assert.deepEqual(await owners("SELECT 1 -- one\n;\nSELECT 2;\n"), [["-- one"], []]);
  });
});
