/**
 * CockroachDB's own grammar in `dbmigrate lint` (docs/adrs/0013), against the real helper
 * (tools/crdb-parser, built by .ci/ensure-crdb-parser.sh):
 * - golden files per grammar: both accept, only PostgreSQL's, only CockroachDB's, neither; each
 *   with its expected findings in the .json beside it (UPDATE_GOLDEN=1 rewrites them);
 * - versions: the same trigger or DO file at 23.2, 24.3 and 25.2;
 * - the helper never crashes: a DO block (which panics the parser without PL/pgSQL), malformed
 *   input, and a panic forced through its test hook become verdicts, not a dead process;
 * - the project's migrations and every section of schema/complete-schema.sql pass both grammars;
 * - the oldest supported version is the first entry of the CockroachDB workflow's matrix.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { parseCompleteSchema } from "../../../dbmigrate/complete-schema";
import { lintSources } from "../../../dbmigrate/lint/lint";
import { normaliseSql } from "../../../dbmigrate/migrations";
import { checkCockroachdbGrammar, CockroachdbGrammarMissing } from "../../../dbmigrate/sql/cockroachdb-grammar";
import {
  cockroachdbParserBinary,
  COCKROACHDB_GRAMMARS,
  runCockroachdbParser,
} from "../../../dbmigrate/sql/cockroachdb-parser";
import {
  formatVersion,
  OLDEST_COCKROACHDB_VERSION,
  parseCockroachdbVersion,
  type CockroachdbVersion,
} from "../../../dbmigrate/sql/cockroachdb-version";

const GOLDEN = path.join("test", "dbmigrate", "sql", "cockroachdb-golden");

function binary(grammar: CockroachdbVersion): string {
  const found = cockroachdbParserBinary(grammar);
  assert.ok("binary" in found, `the helper is built (source .ci/ensure-crdb-parser.sh): ${JSON.stringify(found)}`);
  return found.binary;
}

const lint = (file: string, text: string, version?: CockroachdbVersion) =>
  lintSources([{ file, text }], { squawk: false, cockroachdb: { version, require: true } });

describe("CockroachDB's grammar: golden files", () => {
  for (const sql of readdirSync(GOLDEN).filter((f) => f.endsWith(".sql"))) {
    it(sql.replace(/\.sql$/, ""), async () => {
      const file = path.join(GOLDEN, sql);
      const report = await lint(file, readFileSync(file, "utf8"));
      const got = report.findings.map((f) => ({
        rule: f.rule,
        severity: f.severity,
        source: f.source,
        at: `${f.line}:${f.column}`,
        message: f.message,
      }));
      const expectedFile = file.replace(/\.sql$/, ".json");
      if (process.env.UPDATE_GOLDEN) writeFileSync(expectedFile, `${JSON.stringify(got, null, 2)}\n`);
      assert.deepEqual(got, JSON.parse(readFileSync(expectedFile, "utf8")));
      assert.deepEqual(report.notes, []);
    });
  }

  it("gives CockroachDB's hint and tracking issue as the fix", async () => {
    const report = await lint("x.sql", "CREATE DOMAIN slug AS TEXT;\n");
    assert.equal(report.findings.length, 1);
    assert.match(report.findings[0].message, /^CockroachDB 25\.2 rejects it: .*unimplemented.* \(SQLSTATE 0A000\)$/);
    assert.match(report.findings[0].fix, /https:\/\/github\.com\/cockroachdb\/cockroach\/issues\/27796/);
  });
});

describe("CockroachDB versions", () => {
  const TRIGGER = "CREATE TRIGGER posts_touch BEFORE UPDATE ON posts FOR EACH ROW EXECUTE FUNCTION touch();\n";
  const DO = "DO $$ BEGIN UPDATE posts SET updated_at = now() WHERE updated_at < created_at; END $$;\n";
  const crdb = (report: Awaited<ReturnType<typeof lint>>) =>
    report.findings.filter((f) => f.rule.startsWith("crdb-")).map((f) => [f.rule, f.severity, f.message]);

  it("a trigger at 23.2 is an error naming 24.3; at 24.3 and 25.2 nothing", async () => {
    const at23 = crdb(await lint("t.sql", TRIGGER, [23, 2]));
    assert.equal(at23.length, 1);
    assert.deepEqual(at23[0].slice(0, 2), ["crdb-trigger", "error"]);
    assert.match(String(at23[0][2]), /need CockroachDB 24\.3\+; the oldest CockroachDB this migration meets is 23\.2/);
    assert.deepEqual(crdb(await lint("t.sql", TRIGGER, [24, 3])), []);
    assert.deepEqual(crdb(await lint("t.sql", TRIGGER, [25, 2])), []);
  });

  it("a DO block at 23.2 is an error naming 25.2 (only its grammar accepts it), a warning at 24.3, nothing at 25.2", async () => {
    assert.deepEqual(
      crdb(await lint("d.sql", DO, [23, 2])).map((f) => f.slice(0, 2)),
      [["crdb-version", "error"]],
    );
    assert.match(
      String(crdb(await lint("d.sql", DO, [23, 2]))[0][2]),
      /23\.2 rejects it .*CockroachDB 25\.2 accepts it/,
    );
    assert.deepEqual(
      crdb(await lint("d.sql", DO, [24, 3])).map((f) => f.slice(0, 2)),
      [["crdb-version", "warning"]],
    );
    assert.deepEqual(crdb(await lint("d.sql", DO, [25, 2])), []);
  });

  it("a file that requires row_level_security is checked at 25.2, whatever the declared version", async () => {
    const text = "-- dbmigrate:requires row_level_security\nALTER TABLE posts ENABLE ROW LEVEL SECURITY;\n";
    assert.deepEqual(crdb(await lint("r.sql", text, [23, 2])), []);
    assert.deepEqual(
      crdb(await lint("r.sql", text.split("\n").slice(1).join("\n"), [23, 2]))[0]?.[0],
      "crdb-row-level-security",
    );
  });

  it("reads --cockroachdb-version and refuses what is not a release line", () => {
    assert.deepEqual(parseCockroachdbVersion("v24.3"), [24, 3]);
    assert.throws(() => parseCockroachdbVersion("24"), /is not a CockroachDB version/);
    // Outside the grammars built here it would be judged by another release's grammar, silently.
    assert.throws(
      () => parseCockroachdbVersion("22.1"),
      /22\.1 is older than the oldest CockroachDB this project supports \(23\.2\)/,
    );
    assert.throws(
      () => parseCockroachdbVersion("99.9"),
      /99\.9 is newer than the newest CockroachDB grammar here \(25\.2\)/,
    );
  });

  it("declares the oldest version once: the first entry of the CockroachDB workflow's matrix", () => {
    const workflow = readFileSync(path.join(".github", "workflows", "cockroachdb.yml"), "utf8");
    const first = /cockroachdb: \["latest-v(\d+\.\d+)"/.exec(workflow)?.[1];
    assert.equal(first, formatVersion(OLDEST_COCKROACHDB_VERSION));
    assert.deepEqual(COCKROACHDB_GRAMMARS[0], OLDEST_COCKROACHDB_VERSION, "a grammar for the oldest version is built");
  });
});

describe("the helper never crashes on input", () => {
  const MALFORMED = [
    "DO $$ BEGIN RAISE NOTICE 'used to panic'; END $$;",
    "DO $$ BEGIN",
    "SELECT 'unterminated",
    '\u0000\uFFFD SELECT "\u0080; ;;; END; END;',
    `SELECT ${"(".repeat(3000)}1${")".repeat(3000)};`,
    "CREATE FUNCTION f() RETURNS INT LANGUAGE SQL BEGIN ATOMIC SELECT 1;",
    "$a$ unterminated dollar",
    "🐐".repeat(5000),
  ];

  for (const grammar of COCKROACHDB_GRAMMARS) {
    it(`answers for every malformed file at ${formatVersion(grammar)}, and parses the DO block at 25.2`, async () => {
      const inputs = MALFORMED.map((sql, k) => ({ path: `m${k}.sql`, sql }));
      const run = await runCockroachdbParser(binary(grammar), inputs);
      assert.equal(run.files.size, inputs.length);
      for (const [file, verdicts] of run.files) {
        for (const v of verdicts) {
          assert.ok(!v.crashed, `${file}: ${JSON.stringify(v)}`);
          assert.ok(v.accepted || /^[0-9A-Z]{5}$/.test(v.code ?? ""), `${file}: ${JSON.stringify(v)}`);
        }
      }
      const doBlock = run.files.get("m0.sql")?.[0];
      if (formatVersion(grammar) === "25.2") assert.deepEqual([doBlock?.accepted, doBlock?.tag], [true, "DO"]);
      else assert.equal(doBlock?.accepted, false);
    });
  }

  it("turns a parser panic into a crdb-parser-crash finding on that statement, and goes on", async () => {
    const text = "SELECT 1;\nSELECT panic_here;\nALTER TABLE posts ALTER COLUMN body SET STORAGE PLAIN;\n";
    const report = await checkCockroachdbGrammar([{ file: "p.sql", text }], {
      env: { ...process.env, CRDB_PARSER_PANIC_ON: "panic_here" },
      require: true,
    });
    assert.deepEqual(
      report.findings.get("p.sql")?.map((f) => [f.rule, f.line, f.column]),
      [
        ["crdb-parser-crash", 2, 1],
        ["crdb-syntax", 3, 41],
      ],
    );
    assert.match(report.findings.get("p.sql")?.[0].message ?? "", /crashed on this statement: test panic/);
  });

  it("says in one line that the grammar did not run without the helper, and fails when it is required", async () => {
    const env = { ...process.env, AGOAT_CRDB_PARSER_DIR: "/nonexistent" };
    const report = await checkCockroachdbGrammar([{ file: "x.sql", text: "SELECT 1;" }], { env });
    assert.equal(report.notes.length, 1);
    assert.match(report.notes[0], /^CockroachDB's grammar did not run: .*source \.ci\/ensure-crdb-parser\.sh/);
    await assert.rejects(
      checkCockroachdbGrammar([{ file: "x.sql", text: "SELECT 1;" }], { env, require: true }),
      CockroachdbGrammarMissing,
    );
  });
});

describe("the project's SQL passes both grammars", () => {
  it("every migration, and every section of schema/complete-schema.sql", async () => {
    const migrations = readdirSync("migrations")
      .filter((f) => f.endsWith(".sql"))
      .map((f) => ({
        file: path.join("migrations", f),
        text: normaliseSql(readFileSync(path.join("migrations", f), "utf8")),
      }));
    const sections = (
      await parseCompleteSchema(readFileSync("schema/complete-schema.sql", "utf8"), "schema/complete-schema.sql")
    ).map((m) => ({ file: `schema/complete-schema.sql#${m.file}`, text: m.sql }));
    const report = await checkCockroachdbGrammar([...migrations, ...sections], { require: true });
    assert.deepEqual(report.grammars, ["23.2", "25.2"]);
    assert.deepEqual(
      [...report.findings.values()].flat().map((f) => `${f.file}:${f.line}:${f.column} ${f.rule} ${f.message}`),
      [],
    );
  });
});
