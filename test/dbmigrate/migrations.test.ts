/** Migration files: names, order, checksums, directives and the errors for bad ones. */
import assert from "node:assert/strict";
import { mkdirSync, symlinkSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import type { DbMigrateError } from "../../dbmigrate/errors";
import { checksumOf, loadMigrationFolder, loadMigrations } from "../../dbmigrate/migrations";
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

  it("takes a file with no statement (comments only) as a draft: listed, never a migration", async () => {
    const dir = migrationsDir({ "0001_a.sql": "SELECT 1;", "0002_empty.sql": "-- nothing yet\n/* really */\n" }, false);
    assert.deepEqual(
      (await loadMigrations(dir)).map((m) => m.file),
      ["0001_a.sql"],
    );
    assert.deepEqual((await loadMigrationFolder(dir)).drafts, [{ version: 2, file: "0002_empty.sql" }]);
  });

  it("rejects an unknown dbmigrate:requires feature", async () => {
    const dir = migrationsDir({ "0001_x.sql": "-- dbmigrate:requires time_travel\nSELECT 1;" }, false);
    await assert.rejects(loadMigrations(dir), /unknown feature 'time_travel'/);
  });

  it("says when the folder is missing", async () => {
    await assert.rejects(loadMigrations("no/such/folder"), /cannot read the migrations folder 'no\/such\/folder'/);
  });
});

describe("migration folder entries that are not migration files", () => {
  it("names a file ending in upper-case .SQL instead of ignoring it", async () => {
    const dir = migrationsDir({ "0001_a.sql": "SELECT 1;", "0002_b.SQL": "SELECT 2;" }, false);
    await assert.rejects(loadMigrations(dir), (error: DbMigrateError) => {
      assert.match(
        error.describe(),
        /^migration file '0002_b.SQL' ends in '.SQL', not '.sql' \(.*0002_b.SQL\)\. Rename it to '0002_b.sql'/,
      );
      return true;
    });
  });

  it("names a directory named like a migration (not EISDIR)", async () => {
    const dir = migrationsDir({ "0001_a.sql": "SELECT 1;" }, false);
    mkdirSync(path.join(dir, "0002_b.sql"));
    await assert.rejects(loadMigrations(dir), (error: DbMigrateError) => {
      assert.match(error.describe(), /^'0002_b.sql' in the migrations folder is a directory, not a migration file/);
      assert.equal(error.exitCode, 2);
      return true;
    });
  });

  it("names a broken symbolic link (not ENOENT)", async () => {
    const dir = migrationsDir({ "0001_a.sql": "SELECT 1;" }, false);
    symlinkSync(path.join(dir, "gone.sql.txt"), path.join(dir, "0002_b.sql"));
    await assert.rejects(loadMigrations(dir), (error: DbMigrateError) => {
      assert.match(
        error.describe(),
        /^migration file '0002_b.sql' is listed but cannot be opened: a symbolic link whose target is missing/,
      );
      assert.doesNotMatch(error.describe(), /ENOENT/);
      return true;
    });
  });
});

describe("transaction control in a migration", () => {
  const cases: [string, string][] = [
    ["BEGIN;", "BEGIN"],
    ["START TRANSACTION;", "START TRANSACTION"],
    ["COMMIT;", "COMMIT"],
    ["END;", "COMMIT"],
    ["ROLLBACK;", "ROLLBACK"],
    ["SAVEPOINT s;", "SAVEPOINT"],
    ["RELEASE SAVEPOINT s;", "RELEASE SAVEPOINT"],
    ["ROLLBACK TO SAVEPOINT s;", "ROLLBACK TO SAVEPOINT"],
    ["SET TRANSACTION ISOLATION LEVEL SERIALIZABLE;", "SET TRANSACTION"],
    ["SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY;", "SET SESSION CHARACTERISTICS AS TRANSACTION"],
  ];
  for (const [statement, named] of cases) {
    it(`refuses ${statement} with file:line:column`, async () => {
      const dir = migrationsDir({ "0001_a.sql": `-- 🐐 header\nCREATE TABLE a (id INT);\n  ${statement}\n` }, false);
      await assert.rejects(loadMigrations(dir), (error: DbMigrateError) => {
        assert.equal(
          error.describe().split(". ")[0],
          `migration file '0001_a.sql' contains transaction control (${named}) (${path.join(dir, "0001_a.sql")}:3:3)`,
        );
        return true;
      });
    });
  }

  it("does not mistake a SET of another setting, or the word in a string, for transaction control", async () => {
    const dir = migrationsDir(
      { "0001_a.sql": "SET LOCAL statement_timeout = '1s';\nCOMMENT ON TABLE t IS 'BEGIN; COMMIT;';\n" },
      false,
    );
    assert.equal((await loadMigrations(dir))[0].statements.length, 2);
  });
});
