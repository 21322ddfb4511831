/**
 * `dbmigrate lint` as a user runs it (the real executable): exit codes 0/1/2, `--json`, the
 * project's migrations lint clean, and `dbmigrate new`'s template lints clean and re-runs safely.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { EXAMPLE_PREFIX } from "../../../dbmigrate/migration-template";
import { loadMigrations } from "../../../dbmigrate/migrations";
import { parseSql } from "../../../dbmigrate/sql/parse";
import { migratedDatabase, withDb } from "../../support/engine";
import { runCli } from "../../support/cli";
import { startPostgres, type TestPostgres } from "../../support/postgres";
import { migrationsDir } from "../../support/temp";

const CASES = path.join("test", "dbmigrate", "lint", "cases");

let pg: TestPostgres;
before(async () => {
  pg = await startPostgres();
});
after(() => pg?.stop());

describe("dbmigrate lint", () => {
  it("lints the project's migrations clean (exit 0), every file by default", async () => {
    const run = await runCli(["lint", "--json"]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const report = JSON.parse(run.stdout);
    assert.deepEqual([report.errors, report.warnings], [0, 0]);
    assert.equal(report.files.length, (await loadMigrations("migrations")).length);
    // Where a rule does not apply, a waiver says why.
    for (const finding of report.findings) assert.ok(finding.waived?.reason.length > 10, JSON.stringify(finding));
  });

  it("exits 1 on an error, one line per finding with file:line:column, rule and fix", async () => {
    const file = path.join(CASES, "drop-column", "triggers.sql");
    const run = await runCli(["lint", file]);
    assert.equal(run.code, 1);
    assert.equal(
      run.stdout.split("\n")[0],
      `${file}:1:1: error drop-column: drops column posts.excerpt and its data. Fix: Stop reading and writing the column in a release before, then waive: -- dbmigrate:allow drop-column <why it is safe>`,
    );
  });

  it("cuts a squawk message that echoes a 100 KB identifier to a readable line", async () => {
    const dir = migrationsDir(
      { "0001_ident.sql": `CREATE TABLE "${"i".repeat(100_000)}" (v INT8 PRIMARY KEY);\n` },
      false,
    );
    const run = await runCli(["lint", "--migrations-dir", dir]);
    const line = run.stdout.split("\n").find((l) => l.includes("identifier-too-long"));
    assert.ok(line, run.stdout.slice(0, 2000));
    assert.ok(line.length < 1000, `a ${line.length}-character line`);
    assert.match(line, /… \(\d+ more characters\)/);
  });

  it("exits 0 on warnings only, and shows waived findings with their reason", async () => {
    const warned = await runCli(["lint", path.join(CASES, "crdb-index-backfill", "triggers.sql")]);
    assert.equal(warned.code, 0);
    assert.match(warned.stdout, /:1:\d+: warning crdb-index-backfill: /);
    const waived = await runCli(["lint", path.join(CASES, "drop-table", "waived.sql")]);
    assert.equal(waived.code, 0);
    assert.match(
      waived.stdout,
      /:2:1: waived drop-table \(site_settings moved to the settings service in release 42; backup taken\)/,
    );
  });

  it("prints one JSON report with --json, on failure too", async () => {
    const file = path.join(CASES, "crdb-trigger", "triggers.sql");
    const run = await runCli(["lint", "--json", file]);
    assert.equal(run.code, 1);
    const report = JSON.parse(run.stdout);
    assert.deepEqual(report.files, [file]);
    const finding = report.findings.find((f: { rule: string }) => f.rule === "crdb-trigger");
    assert.deepEqual(
      [finding.severity, finding.source, finding.line, finding.column, typeof finding.fix],
      ["error", "dbmigrate", 1, 1, "string"],
    );
    assert.equal(report.errors, report.findings.filter((f: { waived?: unknown }) => !f.waived).length);
  });

  it("writes Markdown for the pull request and annotations for GitHub", async () => {
    const file = path.join(CASES, "rename", "triggers.sql");
    const md = await runCli(["lint", "--format", "markdown", file]);
    assert.match(md.stdout, /^### dbmigrate lint\n/);
    assert.match(md.stdout, /\| `test\/dbmigrate\/lint\/cases\/rename\/triggers.sql:1:1` \| `rename` \| error \|/);
    const gh = await runCli(["lint", "--format", "github", file]);
    assert.match(
      gh.stdout,
      /^::error file=test\/dbmigrate\/lint\/cases\/rename\/triggers.sql,line=1,col=1,title=rename::/,
    );
  });

  it("exits 2 on usage errors: a missing file, a bad format", async () => {
    const missing = await runCli(["lint", "migrations/9999_nope.sql"]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^dbmigrate: no such migration file 'migrations\/9999_nope.sql'/);
    const format = await runCli(["lint", "--format", "xml"]);
    assert.equal(format.code, 2);
    assert.match(format.stderr, /^dbmigrate: --format 'xml' is not a lint format/);
  });

  it("new writes a template that lints clean, whose examples lint clean and re-run safely on both engines' SQL", async () => {
    const dir = migrationsDir();
    const created = await runCli(["new", "add_site_tags", "--migrations-dir", dir]);
    assert.equal(created.code, 0, created.stderr);
    const file = created.stdout.trim();
    const asWritten = await runCli(["lint", file]);
    assert.equal(asWritten.code, 0, asWritten.stdout);
    assert.match(asWritten.stdout, /^lint: 0 error\(s\), 0 warning\(s\)/);

    const examples = readFileSync(file, "utf8")
      .split("\n")
      .filter((line) => line.startsWith(EXAMPLE_PREFIX))
      .map((line) => line.slice(EXAMPLE_PREFIX.length))
      .join("\n");
    writeFileSync(file, `${examples}\n`);
    const uncommented = await runCli(["lint", file]);
    assert.equal(uncommented.stdout, "lint: 0 error(s), 0 warning(s), 0 waived in 1 file(s)\n");
    const statements = (await parseSql(examples, file)).statements;
    assert.ok(statements.length >= 3);
    assert.ok(
      statements.every((s) => /IF NOT EXISTS/.test(s.sql)),
      "every example is IF NOT EXISTS",
    );

    // Run twice, statement by statement, as the CockroachDB path would after a half-applied run.
    const dsn = await migratedDatabase(pg);
    await withDb(dsn, async (client) => {
      for (let round = 0; round < 2; round++) for (const s of statements) await client.query(s.sql);
    });
  });
});
