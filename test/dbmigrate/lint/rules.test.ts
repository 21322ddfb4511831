/**
 * Every lint rule against three files: one that triggers it, one that does not (and lints clean
 * of everything), one where a `-- dbmigrate:allow` waiver covers it. The project's migrations are
 * the context, so `posts` and the other tables exist as they do in a real pull request.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import type { LintReport } from "../../../dbmigrate/lint/finding";
import { lintSources, type LintSource } from "../../../dbmigrate/lint/lint";
import { ALL_RULES } from "../../../dbmigrate/lint/rules";
import { SQUAWK_EXCLUDED_RULES, squawkBinary } from "../../../dbmigrate/lint/squawk";

const CASES = path.join("test", "dbmigrate", "lint", "cases");

let context: LintSource[];
before(() => {
  context = readdirSync("migrations")
    .filter((f) => f.endsWith(".sql"))
    .sort()
    .map((f) => ({ file: path.join("migrations", f), text: readFileSync(path.join("migrations", f), "utf8") }));
});

async function lintCase(rule: string, kind: "triggers" | "clean" | "waived"): Promise<LintReport> {
  const file = path.join(CASES, rule, `${kind}.sql`);
  return lintSources([{ file, text: readFileSync(file, "utf8") }], { context });
}

describe("lint rules", () => {
  it("has a case folder for every dbmigrate rule, and squawk is installed to run the squawk cases", () => {
    const folders = readdirSync(CASES);
    for (const rule of ALL_RULES)
      assert.ok(folders.includes(rule.id), `test/dbmigrate/lint/cases/${rule.id}/ is missing`);
    assert.ok(squawkBinary(), "squawk-cli's binary for this platform is installed");
  });

  for (const rule of readdirSync(CASES).sort()) {
    describe(rule, () => {
      it("triggers on its triggering file, at a place in it", async () => {
        const report = await lintCase(rule, "triggers");
        const hits = report.findings.filter((f) => f.rule === rule);
        assert.ok(hits.length > 0, `no ${rule} finding in ${JSON.stringify(report.findings)}`);
        for (const hit of hits) {
          assert.ok(!hit.waived && hit.line >= 1 && hit.column >= 1 && hit.fix.length > 0);
          assert.equal(hit.file, path.join(CASES, rule, "triggers.sql"));
        }
        const expected = ALL_RULES.find((r) => r.id === rule)?.severity ?? "error";
        assert.equal(hits[0].severity, expected);
        assert.equal(report.errors > 0, expected === "error");
      });

      it("stays silent on its clean file (which lints clean of every rule)", async () => {
        const report = await lintCase(rule, "clean");
        assert.deepEqual(report.findings, []);
        assert.deepEqual(report.notes, []);
      });

      it("is waived, with the reason shown, by a dbmigrate:allow comment", async () => {
        const report = await lintCase(rule, "waived");
        const hits = report.findings.filter((f) => f.rule === rule);
        assert.ok(hits.length > 0);
        if (ALL_RULES.find((r) => r.id === rule)?.waivable === false) {
          // The engine refuses it whatever the lint says: the waiver is reported, the error stays.
          assert.ok(hits.every((f) => !f.waived));
          assert.match(report.findings.find((f) => f.rule === "unused-waiver")?.message ?? "", /cannot be waived/);
          return;
        }
        const reason = /dbmigrate:allow \S+ (.*)/.exec(readFileSync(path.join(CASES, rule, "waived.sql"), "utf8"))?.[1];
        for (const hit of hits) assert.deepEqual(hit.waived, { reason });
        assert.equal(
          report.findings.filter((f) => !f.waived && f.rule.startsWith("crdb-") && f.rule === rule).length,
          0,
        );
      });
    });
  }
});

describe("lint waivers and squawk's configuration", () => {
  const lint = (text: string) => lintSources([{ file: "x.sql", text }], { context });

  it("reports a waiver without a reason as an error, and one that matches nothing as a warning", async () => {
    const report = await lint(
      "-- dbmigrate:allow drop-column\nALTER TABLE posts DROP COLUMN excerpt;\n-- dbmigrate:allow drop-tabel typo here\nUPDATE posts SET excerpt = NULL;\n",
    );
    const byRule = (id: string) => report.findings.filter((f) => f.rule === id);
    assert.equal(byRule("waiver-without-reason")[0].line, 1);
    assert.equal(byRule("drop-column")[0].waived, undefined);
    assert.deepEqual(
      byRule("unused-waiver").map((f) => [f.line, f.severity]),
      [[3, "warning"]],
    );
  });

  it("takes a waiver after the statement's semicolon on its last line", async () => {
    const report = await lint(
      "ALTER TABLE posts DROP COLUMN excerpt; -- dbmigrate:allow drop-column unused since release 41\n",
    );
    assert.deepEqual(report.findings[0].waived, { reason: "unused since release 41" });
  });

  it("turns off the squawk rules that do not fit the engine, and reports the others", async () => {
    // require-concurrent-index-creation (excluded) would fire here; crdb-index-backfill does instead.
    const report = await lint(
      "CREATE INDEX posts_status_idx ON posts (customer_id, status);\nDROP INDEX posts_status_idx;\n",
    );
    const rules = report.findings.map((f) => f.rule);
    assert.ok(rules.includes("crdb-index-backfill"));
    for (const excluded of Object.keys(SQUAWK_EXCLUDED_RULES)) assert.ok(!rules.includes(excluded), excluded);
  });

  it("places a squawk finding after multi-byte characters at the right column", async () => {
    const line =
      "ALTER TABLE /* é */ posts ADD CONSTRAINT posts_site2_fkey FOREIGN KEY (customer_id, site_id) REFERENCES sites (customer_id, id);";
    const report = await lint(`-- 🐐\n${line}\n`);
    const fk = report.findings.find((f) => f.rule === "adding-foreign-key-constraint");
    assert.equal(fk?.source, "squawk");
    // squawk counts bytes from 0 ('é' is two); the report counts characters from 1.
    assert.deepEqual([fk?.line, fk?.column], [2, line.indexOf("CONSTRAINT") + 1]);
  });

  it("gives a waiver below the last statement to no statement", async () => {
    const report = await lint("DROP TABLE site_settings;\n\n\n-- dbmigrate:allow drop-table too late to count\n");
    assert.equal(report.findings.find((f) => f.rule === "drop-table")?.waived, undefined);
    assert.equal(report.errors, 1);
  });

  it("names the right table's type in a type change when two schemas hold a table of that name", async () => {
    const report = await lint(
      "CREATE SCHEMA IF NOT EXISTS archive;\nCREATE TABLE IF NOT EXISTS archive.posts (id UUID PRIMARY KEY, status VARCHAR(4));\n" +
        "ALTER TABLE posts ALTER COLUMN id TYPE TEXT;\nALTER TABLE archive.posts ALTER COLUMN status TYPE VARCHAR(2);\n",
    );
    const narrowing = report.findings.filter((f) => f.rule === "narrowing-type-change").map((f) => f.message);
    assert.deepEqual(narrowing, []);
  });

  it("exempts a temporary table and objects made in the same migration from the destructive rules", async () => {
    const report = await lint(
      "CREATE TEMP TABLE import_rows (n INT4);\nDROP TABLE import_rows;\nCREATE SCHEMA IF NOT EXISTS staging;\nDROP SCHEMA staging CASCADE;\n",
    );
    assert.deepEqual(
      report.findings.filter((f) => f.source === "dbmigrate").map((f) => f.rule),
      [],
    );
  });

  it("reports CASCADE in ALTER TABLE ... DROP COLUMN as well as the drop", async () => {
    const report = await lint("ALTER TABLE posts DROP COLUMN excerpt CASCADE;\n");
    assert.deepEqual(
      report.findings.filter((f) => f.source === "dbmigrate").map((f) => f.rule),
      ["drop-column", "drop-cascade"],
    );
  });

  it("calls widening conversions widening", async () => {
    const report = await lint("ALTER TABLE posts ALTER COLUMN id TYPE TEXT;\n");
    assert.equal(report.findings.filter((f) => f.rule === "narrowing-type-change").length, 0);
  });

  it("catches NOT NULL DEFAULT NULL on an existing table", async () => {
    const report = await lint("ALTER TABLE posts ADD COLUMN flag BOOLEAN NOT NULL DEFAULT NULL;\n");
    assert.match(
      report.findings.find((f) => f.rule === "not-null-column-without-default")?.message ?? "",
      /with DEFAULT NULL/,
    );
  });

  it("reports a file the parser rejects as a syntax-error finding with line and column", async () => {
    const report = await lint("SELECT 1;\nALTER TABLE posts ADD COLUMN ;\n");
    assert.deepEqual(
      report.findings.map((f) => [f.rule, f.line, f.column, f.source]),
      [["syntax-error", 2, 30, "parser"]],
    );
    assert.equal(report.errors, 1);
  });
});
