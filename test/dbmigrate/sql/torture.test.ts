/**
 * The parser layer on tokens from 1 KB to 10 MB, in every place a long token occurs in real
 * migrations (string literals, dollar-quoted function bodies, comments, identifiers), with
 * multi-byte characters inside and before them: it must not crash, must find every statement,
 * and must name the exact line and column of what follows. (`@libpg-query/parser` 17.6.10's
 * scanner broke on any token over ~1.4 KB: "Unterminated string in JSON".)
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseSql } from "../../../dbmigrate/sql/parse";

/** Token sizes, in UTF-8 bytes (about). */
const SIZES = [1024, 1500, 64 * 1024, 1024 * 1024];
/** 10 MB costs about 1.5 s a case: run it on one place of each kind (string, dollar body, comment, identifier). */
const HUGE = 10 * 1024 * 1024;

/** A filler with one-, two-, three- and four-byte UTF-8 characters (7 code points, 11 bytes). */
const FILLER = "ab\u00e9\u20ac\u{1F600}cd";

function filler(bytes: number): string {
  return FILLER.repeat(Math.ceil(bytes / Buffer.byteLength(FILLER)));
}

/** Each place: the statement holding a long token (with `long` in it), and its node type. */
const PLACES: { name: string; statement: (long: string) => string; kind: string; huge?: true }[] = [
  { name: "a string literal", statement: (s) => `SELECT '${s}'`, kind: "SelectStmt", huge: true },
  { name: "an E-string", statement: (s) => `SELECT E'\\n${s}'`, kind: "SelectStmt" },
  {
    name: "a dollar-quoted function body",
    statement: (s) =>
      `CREATE FUNCTION f() RETURNS text LANGUAGE plpgsql AS $body$\nBEGIN\n  RETURN '${s}';\nEND\n$body$`,
    kind: "CreateFunctionStmt",
    huge: true,
  },
  { name: "a DO block", statement: (s) => `DO $$ BEGIN RAISE NOTICE '%', '${s}'; END $$`, kind: "DoStmt" },
  { name: "a line comment", statement: (s) => `-- ${s}\nSELECT 1`, kind: "SelectStmt", huge: true },
  { name: "a block comment", statement: (s) => `/* ${s}\n */ SELECT 1`, kind: "SelectStmt" },
  { name: "a COMMENT ON text", statement: (s) => `COMMENT ON TABLE t IS '${s}'`, kind: "CommentStmt" },
  { name: "a quoted identifier", statement: (s) => `CREATE TABLE "${s}" (id int)`, kind: "CreateStmt", huge: true },
  { name: "an unquoted identifier", statement: (s) => `CREATE TABLE t_${s} (id int)`, kind: "CreateStmt" },
];

/** The 1-based line and column (in code points) where `needle` starts in `text`, computed apart from the parser layer. */
function placeOf(text: string, needle: string): { line: number; column: number } {
  const before = text.slice(0, text.indexOf(needle));
  const lines = before.split("\n");
  return { line: lines.length, column: [...lines[lines.length - 1]].length + 1 };
}

describe("parser torture: long tokens", () => {
  for (const place of PLACES) {
    for (const size of place.huge ? [...SIZES, HUGE] : SIZES) {
      it(`parses ${place.name} of ${size.toLocaleString("en")} bytes`, async () => {
        // Unquoted identifiers take letters only; the others take the multi-byte filler.
        const long = place.name === "an unquoted identifier" ? "x".repeat(size) : filler(size);
        const text = `-- \u00e9t\u00e9 \u{1F600}\nSELECT '\u00fcber' AS "\u00e7a";\n${place.statement(long)};\n  SELECT 'after' AS \u00e9;\n`;
        const parsed = await parseSql(text, "torture.sql");
        assert.deepEqual(
          parsed.statements.map((s) => s.kind),
          ["SelectStmt", place.kind, "SelectStmt"],
        );
        const [, middle, after] = parsed.statements;
        const expected = place.statement(long);
        const code =
          expected.startsWith("--") || expected.startsWith("/*")
            ? expected.slice(expected.indexOf("SELECT 1"))
            : expected;
        assert.equal(middle.sql, code, "the statement's text is exactly what was written");
        assert.deepEqual({ line: middle.line, column: middle.column }, placeOf(text, code));
        assert.deepEqual({ line: after.line, column: after.column }, placeOf(text, "SELECT 'after'"));
        assert.equal(after.offset, text.indexOf("SELECT 'after'"));
        assert.equal(after.sql, "SELECT 'after' AS \u00e9");
        if (place.name.endsWith("identifier")) {
          // PostgreSQL truncates identifiers to 63 bytes (NAMEDATALEN - 1); the parser does too.
          const relname = String((middle.tree.relation as { relname: string }).relname);
          assert.ok(Buffer.byteLength(relname) <= 63, `identifier of ${Buffer.byteLength(relname)} bytes`);
        }
      });
    }
  }

  it("maps a syntax error after a 1 MB multi-byte token to its exact line and column", async () => {
    const text = `SELECT '${filler(1024 * 1024)}';\nSELECT \u00e9\u00e9 FROM;\n`;
    await assert.rejects(parseSql(text, "torture.sql"), (error: Error & { line?: number; column?: number }) => {
      assert.deepEqual({ line: error.line, column: error.column }, { line: 2, column: 15 });
      return true;
    });
  });
});
