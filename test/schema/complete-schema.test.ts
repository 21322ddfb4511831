/**
 * schema/complete-schema.sql equals all migrations applied: it is generated from migrations/ (and
 * committed up to date), and both paths build the same catalog on a real PostgreSQL.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { renderCompleteSchema } from "../../dbmigrate/complete-schema";
import { lintFiles, migrationPaths } from "../../dbmigrate/lint/files";
import { loadMigrations } from "../../dbmigrate/migrations";
import { ENGINE_TABLES } from "../../dbmigrate/runner";
import { catalogSnapshot } from "../support/catalog";
import { migratorFor, withDb } from "../support/engine";
import { startPostgres, type TestPostgres } from "../support/postgres";

let pg: TestPostgres;
before(async () => {
  pg = await startPostgres();
});
after(() => pg?.stop());

describe("complete schema", () => {
  it("is committed up to date with migrations/ (dbmigrate build-complete)", async () => {
    assert.equal(
      readFileSync("schema/complete-schema.sql", "utf8"),
      renderCompleteSchema(await loadMigrations("migrations")),
    );
  });

  it("builds the same catalog as applying every migration in order", async () => {
    const viaMigrations = await pg.createDatabase();
    const viaComplete = await pg.createDatabase();
    await (await migratorFor(viaMigrations)).up();
    await (await migratorFor(viaComplete)).applyComplete();
    const a = await withDb(viaMigrations, catalogSnapshot);
    const b = await withDb(viaComplete, catalogSnapshot);
    assert.ok(
      a.indexes.length > 20 && a.constraints.length > 50 && a.policies.length === 11,
      "the snapshot sees the schema",
    );
    assert.deepEqual(b, a);
  });

  it("builds the same catalog when sent to the server as one script (what apply-complete-schema.sh did)", async () => {
    const viaScript = await pg.createDatabase();
    const viaMigrations = await pg.createDatabase();
    await withDb(viaScript, (client) => client.query(readFileSync("schema/complete-schema.sql", "utf8")));
    await (await migratorFor(viaMigrations)).up();
    const a = await withDb(viaMigrations, catalogSnapshot);
    const b = await withDb(viaScript, catalogSnapshot);
    const engineTable = new RegExp(`\\b(${ENGINE_TABLES.join("|")})`);
    const withoutEngineTables = (s: Record<string, string[]>) =>
      Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v.filter((line) => !engineTable.test(line))]));
    assert.deepEqual(withoutEngineTables(b), withoutEngineTables(a));
  });

  it("keeps to SQL that CockroachDB and PostgreSQL both accept, by the grammar (dbmigrate lint)", async () => {
    const report = await lintFiles(await migrationPaths("migrations"));
    // Not even waived: the shipped migrations need no exception to the CockroachDB subset.
    assert.deepEqual(
      report.findings.filter((f) => f.rule.startsWith("crdb-") || f.rule === "transaction-control"),
      [],
    );
    assert.equal(report.errors, 0);
    assert.equal(report.files.length, (await loadMigrations("migrations")).length);
  });
});
