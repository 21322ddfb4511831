/** Migration files: names, order, checksums, directives and the errors for bad ones. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checksumOf, loadMigrations } from "../../dbmigrate/migrations";
import { splitStatements } from "../../dbmigrate/sql-split";
import { migrationsDir } from "../support/temp";

describe("migration files", () => {
  it("orders by number and checksums with line endings normalised", async () => {
    const dir = migrationsDir({ "0010_b.sql": "SELECT 1;\r\nSELECT 2;\r\n", "0003_a.sql": "SELECT 1;\n" }, false);
    const migrations = await loadMigrations(dir);
    assert.deepEqual(
      migrations.map((m) => [m.version, m.name, m.file]),
      [
        [3, "a", "0003_a.sql"],
        [10, "b", "0010_b.sql"],
      ],
    );
    assert.equal(migrations[1].checksum, checksumOf("SELECT 1;\nSELECT 2;\n"));
    assert.match(migrations[1].checksum, /^[0-9a-f]{64}$/);
  });

  it("reads the project's migrations, with 0002 requiring row-level security", async () => {
    const migrations = await loadMigrations("migrations");
    assert.deepEqual(
      migrations.map((m) => [m.file, m.requires]),
      [
        ["0001_complete_schema.sql", []],
        ["0002_tenant_row_level_security.sql", ["row_level_security"]],
        ["0003_users_email_ascii_whitespace.sql", []],
        ["0004_default_tenant.sql", []],
        ["0005_default_tenant_private.sql", ["row_level_security"]],
        ["0006_default_tenant_site_may_go.sql", []],
      ],
    );
  });

  it("rejects a badly named file, naming it and the expected form", async () => {
    const dir = migrationsDir({ "3_add-things.sql": "SELECT 1;" }, false);
    await assert.rejects(loadMigrations(dir), (error: Error & { describe(): string }) => {
      assert.match(
        error.describe(),
        /^migration file '3_add-things.sql' has a bad name \(.*3_add-things.sql\)\. Name it NNNN_lower_snake_name.sql/,
      );
      return true;
    });
  });

  it("rejects two files with one version", async () => {
    const dir = migrationsDir({ "0001_a.sql": "SELECT 1;", "0001_b.sql": "SELECT 2;" }, false);
    await assert.rejects(loadMigrations(dir), /two migration files share version 0001: '0001_a.sql' and '0001_b.sql'/);
  });

  it("rejects an empty migration, even one with comments", async () => {
    const dir = migrationsDir({ "0001_empty.sql": "-- nothing yet\n/* really */\n" }, false);
    await assert.rejects(loadMigrations(dir), /migration file '0001_empty.sql' has no SQL statement/);
  });

  it("rejects an unknown dbmigrate:requires feature", async () => {
    const dir = migrationsDir({ "0001_x.sql": "-- dbmigrate:requires time_travel\nSELECT 1;" }, false);
    await assert.rejects(loadMigrations(dir), /unknown feature 'time_travel'/);
  });

  it("says when the folder is missing", async () => {
    await assert.rejects(loadMigrations("no/such/folder"), /cannot read the migrations folder 'no\/such\/folder'/);
  });
});

describe("statement splitting", () => {
  it("splits on semicolons outside strings, identifiers and comments, with start lines", () => {
    const sql = [
      "-- header; not a statement",
      "CREATE TABLE a (x TEXT DEFAULT 'a;b');",
      "/* block; comment */",
      "INSERT INTO \"we;ird\" VALUES ('it''s; fine');",
      "",
      "SELECT 1",
    ].join("\n");
    assert.deepEqual(
      splitStatements(sql).map((s) => [s.line, s.sql]),
      [
        [2, "CREATE TABLE a (x TEXT DEFAULT 'a;b')"],
        [4, "INSERT INTO \"we;ird\" VALUES ('it''s; fine')"],
        [6, "SELECT 1"],
      ],
    );
  });
});
