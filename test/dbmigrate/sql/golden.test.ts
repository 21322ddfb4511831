/**
 * Golden files: for each tricky input (nested comments, E-strings, dollar quotes with tags, `--`
 * and `;` inside strings, BOM, CRLF, no final newline, emoji before an error) the statements the
 * parser finds, their lines and columns, the text sent to the server and the checksum.
 * `UPDATE_GOLDEN=1` rewrites the .json files; review the diff before committing it.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { DbMigrateError } from "../../../dbmigrate/errors";
import { checksumOf, loadMigrations, parseMigration } from "../../../dbmigrate/migrations";

/** The folder of golden inputs (`NNNN_name.sql`) and their expected results (`.json`). */
const GOLDEN_DIR = path.join("test", "dbmigrate", "sql", "golden");

/** What a golden input parses to. */
async function describeFile(file: string): Promise<unknown> {
  const text = readFileSync(path.join(GOLDEN_DIR, file), "utf8");
  try {
    const migration = await parseMigration(file, text, `golden/${file}`);
    return {
      checksum: migration.checksum,
      requires: migration.requires,
      statements: migration.statements.map((s) => ({ line: s.line, column: s.column, kind: s.kind, sql: s.sql })),
    };
  } catch (error) {
    if (error instanceof DbMigrateError) return { error: error.describe() };
    throw error;
  }
}

describe("golden files", () => {
  const inputs = readdirSync(GOLDEN_DIR).filter((f) => f.endsWith(".sql"));

  it("has the tricky inputs", () => {
    assert.ok(inputs.length >= 10, `found ${inputs.length} golden inputs`);
  });

  for (const file of inputs) {
    it(`parses ${file} as recorded`, async () => {
      const expectedFile = path.join(GOLDEN_DIR, file.replace(/\.sql$/, ".json"));
      const actual = await describeFile(file);
      if (process.env.UPDATE_GOLDEN === "1") writeFileSync(expectedFile, JSON.stringify(actual, null, 2) + "\n");
      assert.deepEqual(actual, JSON.parse(readFileSync(expectedFile, "utf8")));
    });
  }

  it("gives a file with a byte-order mark the checksum of the same file without it", async () => {
    const bytes = readFileSync(path.join(GOLDEN_DIR, "0005_bom.sql"));
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], "the input really starts with a BOM");
    const withBom = await parseMigration("0005_bom.sql", bytes.toString("utf8"));
    assert.equal(withBom.checksum, checksumOf(bytes.subarray(3).toString("utf8")));
    assert.equal(withBom.statements[0].line, 2);
  });

  it("reads a dbmigrate directive on line 1 after a byte-order mark", async () => {
    const text = readFileSync(path.join(GOLDEN_DIR, "0006_bom_directive.sql"), "utf8");
    assert.equal(text.charCodeAt(0), 0xfeff);
    assert.deepEqual((await parseMigration("0006_bom_directive.sql", text)).requires, ["row_level_security"]);
  });

  it("gives a CRLF file the checksum of its LF twin", async () => {
    const text = readFileSync(path.join(GOLDEN_DIR, "0007_crlf.sql"), "utf8");
    assert.match(text, /\r\n/);
    const migration = await parseMigration("0007_crlf.sql", text);
    assert.equal(migration.checksum, checksumOf(text.replace(/\r\n/g, "\n")));
    assert.doesNotMatch(migration.statements.map((s) => s.sql).join(""), /\r/);
  });

  it("keeps the checksums of the shipped migrations (files without a BOM) unchanged", async () => {
    // Recorded before BOM normalisation existed: databases hold these in schema_migrations.
    assert.deepEqual(
      (await loadMigrations("migrations")).slice(0, 2).map((m) => [m.file, m.checksum]),
      [
        ["0001_complete_schema.sql", SHIPPED_CHECKSUMS[0]],
        ["0002_tenant_row_level_security.sql", SHIPPED_CHECKSUMS[1]],
      ],
    );
  });
});

const SHIPPED_CHECKSUMS = [
  "adca77aaa8a78361f9133f1861b11816fabe712aa39eef6973ff03d6ecdfc4cb",
  "30b1b866868146a0541db844bfa858005a3dd78045d276baa12f54d177068e99",
];
