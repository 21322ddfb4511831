/**
 * CockroachDB's verdict on every statement, as lint findings (docs/adrs/0013).
 *
 * Each file is checked against the oldest CockroachDB it can meet (the declared oldest version,
 * raised by the features it requires) and against the newest grammar the project builds:
 * - the newest grammar rejects the statement: an error with CockroachDB's own message, SQLSTATE and
 *   hint (`crdb-syntax` for 42601, `crdb-unsupported` for 0A000, `crdb-parser-crash` when the
 *   parser panicked);
 * - only an older grammar rejects it: `crdb-version`, an error naming the version whose grammar
 *   accepts it when the file's version has a grammar of its own, a warning when the nearest
 *   grammar below is older (no 24.1 grammar exists to say what 24.1 does).
 */
import { UsageError } from "../errors";
import type { Finding } from "../lint/finding";
import { coveredByVersionRule } from "../lint/rules-cockroachdb";
import {
  COCKROACHDB_GRAMMARS,
  cockroachdbParserBinary,
  runCockroachdbParser,
  type CockroachdbVerdict,
  type GrammarVerdicts,
  type ParserInput,
} from "./cockroachdb-parser";
import {
  compareVersions,
  formatVersion,
  OLDEST_COCKROACHDB_VERSION,
  versionForFile,
  type CockroachdbVersion,
} from "./cockroachdb-version";
import type { Statement } from "./parse";

/** How lint runs CockroachDB's grammar. */
export interface CockroachdbGrammarOptions {
  /** The oldest CockroachDB supported; default {@link OLDEST_COCKROACHDB_VERSION}. */
  version?: CockroachdbVersion;
  /** Fail (throw) when the helper is missing instead of noting it. CI sets it. */
  require?: boolean;
  /** False: skip CockroachDB's grammar altogether (a note says so). */
  enabled?: boolean;
  env?: NodeJS.ProcessEnv;
}

/** A finding of CockroachDB's grammar, with the statement it is about. */
export interface GrammarFinding extends Finding {
  /** Index of the statement's first character in the file's text, and one past its last. */
  statementStart: number;
  statementEnd: number;
}

/** What the grammar check found, per file, and what it could not do. */
export interface GrammarReport {
  findings: Map<string, GrammarFinding[]>;
  notes: string[];
  /** The grammars that ran, e.g. `["23.2", "25.2"]`; empty when none could. */
  grammars: string[];
}

/** Thrown under `require` (`--require-cockroachdb-grammar`) when the helper is missing. */
export class CockroachdbGrammarMissing extends UsageError {}

const NEWEST = COCKROACHDB_GRAMMARS[COCKROACHDB_GRAMMARS.length - 1];

/** The grammar that stands for `version`: the newest one not newer than it (else the oldest). */
export function grammarFor(version: CockroachdbVersion): CockroachdbVersion {
  return [...COCKROACHDB_GRAMMARS].reverse().find((g) => compareVersions(g, version) <= 0) ?? COCKROACHDB_GRAMMARS[0];
}

/** Runs CockroachDB's grammar over `files` (normalised text) and returns its findings. */
export async function checkCockroachdbGrammar(
  files: readonly { file: string; text: string }[],
  options: CockroachdbGrammarOptions = {},
): Promise<GrammarReport> {
  const report: GrammarReport = { findings: new Map(), notes: [], grammars: [] };
  if (files.length === 0) return report;
  if (options.enabled === false) {
    report.notes.push("CockroachDB's grammar did not run (turned off): only PostgreSQL's grammar checked the SQL");
    return report;
  }
  const declared = options.version ?? OLDEST_COCKROACHDB_VERSION;
  const versions = new Map(files.map((f) => [f.file, versionForFile(f.text, declared)]));
  const needed = new Map<string, CockroachdbVersion>([[formatVersion(NEWEST), NEWEST]]);
  for (const v of versions.values()) needed.set(formatVersion(grammarFor(v)), grammarFor(v));
  const binaries: [CockroachdbVersion, string][] = [];
  for (const grammar of needed.values()) {
    const found = cockroachdbParserBinary(grammar, options.env);
    if ("missing" in found) {
      const what = `CockroachDB's grammar did not run: ${found.missing}`;
      if (options.require) {
        throw new CockroachdbGrammarMissing(what, {
          hint: "Build it with `source .ci/ensure-crdb-parser.sh` (needs Go 1.26+), or drop --require-cockroachdb-grammar",
        });
      }
      report.notes.push(`${what}; build it with \`source .ci/ensure-crdb-parser.sh\` (needs Go 1.26+)`);
      return report;
    }
    binaries.push([grammar, found.binary]);
  }
  const inputs: ParserInput[] = files.map((f) => ({ path: f.file, sql: f.text }));
  const runs = await Promise.all(binaries.map(([, binary]) => runCockroachdbParser(binary, inputs, options.env)));
  const byGrammar = new Map(runs.map((run) => [formatVersion(run.grammar), run]));
  report.grammars = runs.map((run) => formatVersion(run.grammar)).sort();
  for (const f of files) {
    report.findings.set(f.file, judgeFile(f.file, versions.get(f.file) ?? declared, byGrammar));
  }
  return report;
}

function judgeFile(file: string, version: CockroachdbVersion, runs: Map<string, GrammarVerdicts>): GrammarFinding[] {
  const newest = runs.get(formatVersion(NEWEST));
  const low = runs.get(formatVersion(grammarFor(version)));
  if (!newest || !low) return [];
  const lowByStart = new Map((low.files.get(file) ?? []).map((v) => [v.start, v]));
  const found: GrammarFinding[] = [];
  for (const verdict of newest.files.get(file) ?? []) {
    if (!verdict.accepted) {
      found.push(rejected(file, verdict, NEWEST));
      continue;
    }
    const old = lowByStart.get(verdict.start);
    if (!old || old.accepted || low === newest) continue;
    found.push(versionGap(file, version, old, low.grammar, verdict));
  }
  return found;
}

/** CockroachDB's newest grammar rejects the statement: its own message, SQLSTATE and hint. */
function rejected(file: string, verdict: CockroachdbVerdict, grammar: CockroachdbVersion): GrammarFinding {
  const rule = verdict.crashed ? "crdb-parser-crash" : verdict.code === "0A000" ? "crdb-unsupported" : "crdb-syntax";
  const hint = oneLine(verdict.hint);
  return {
    rule,
    severity: "error",
    source: "cockroachdb",
    file,
    line: verdict.line ?? 1,
    column: verdict.column ?? 1,
    message: `CockroachDB ${formatVersion(grammar)} rejects it: ${verdict.message ?? "syntax error"} (SQLSTATE ${verdict.code ?? "42601"})`,
    fix: [
      hint,
      verdict.code === "0A000"
        ? "Express it in SQL both engines accept"
        : "Write it in SQL both engines accept, or move CockroachDB-only DDL to a file headed -- dbmigrate:requires cockroachdb",
    ]
      .filter(Boolean)
      .join("; "),
    statementStart: verdict.start,
    statementEnd: verdict.end,
  };
}

/** An older grammar rejects what the newest accepts: name the version that has it. */
function versionGap(
  file: string,
  version: CockroachdbVersion,
  old: CockroachdbVerdict,
  oldGrammar: CockroachdbVersion,
  verdict: CockroachdbVerdict,
): GrammarFinding {
  const exact = compareVersions(oldGrammar, version) === 0;
  const tag = verdict.tag ? `${verdict.tag}: ` : "";
  return {
    rule: "crdb-version",
    severity: exact ? "error" : "warning",
    source: "cockroachdb",
    file,
    line: old.line ?? 1,
    column: old.column ?? 1,
    message: exact
      ? `${tag}CockroachDB ${formatVersion(version)} rejects it (${old.message ?? "syntax error"}, SQLSTATE ${old.code ?? "42601"}); CockroachDB ${formatVersion(NEWEST)} accepts it`
      : `${tag}CockroachDB ${formatVersion(oldGrammar)} rejects it and ${formatVersion(NEWEST)} accepts it; whether ${formatVersion(version)} does is not known here (no ${formatVersion(version)} grammar)`,
    fix: `Write it so CockroachDB ${formatVersion(version)} accepts it, raise the oldest supported version (--cockroachdb-version ${formatVersion(NEWEST)}) once every cluster runs it, or gate the file with -- dbmigrate:requires <feature>`,
    statementStart: verdict.start,
    statementEnd: verdict.end,
  };
}

/**
 * The grammar's findings on the statements PostgreSQL's parser found, so waivers apply to them. A
 * version gap on a statement a versioned rule knows (triggers: 24.3) is left to that rule, which
 * names the version from CockroachDB's documentation rather than from the grammars at hand.
 */
export function grammarFindingsByStatement(
  statements: readonly Statement[],
  found: readonly GrammarFinding[],
): Map<Statement, Finding[]> {
  const byStatement = new Map<Statement, Finding[]>();
  // Both in file order: one pass over each.
  const sorted = [...found].sort((a, b) => a.statementStart - b.statementStart);
  let k = 0;
  for (const finding of sorted) {
    while (k < statements.length && statements[k].offset + statements[k].sql.length <= finding.statementStart) k++;
    const statement = statements[k];
    if (!statement || finding.statementStart < statement.offset) continue;
    if (finding.rule === "crdb-version" && coveredByVersionRule(statement)) continue;
    const { statementStart: _start, statementEnd: _end, ...plain } = finding;
    byStatement.set(statement, [...(byStatement.get(statement) ?? []), plain]);
  }
  return byStatement;
}

/**
 * The grammar's findings on a file PostgreSQL's parser rejects at `rejected` (1-based line and
 * column in `text`): the statement there keeps PostgreSQL's syntax error alone; the others keep
 * CockroachDB's verdict. Without `rejected`: all of them (a CockroachDB-only file).
 */
export function grammarFindingsBesides(
  found: readonly GrammarFinding[],
  rejected?: { text: string; line: number; column: number },
): Finding[] {
  let index = -1;
  if (rejected) {
    const lines = rejected.text.split("\n").slice(0, rejected.line - 1);
    const before = lines.reduce((n, l) => n + l.length + 1, 0);
    const line = rejected.text.split("\n")[rejected.line - 1] ?? "";
    index = before + [...line].slice(0, rejected.column - 1).join("").length;
  }
  return found
    .filter((f) => !(f.statementStart <= index && index <= f.statementEnd))
    .map(({ statementStart: _start, statementEnd: _end, ...plain }) => plain);
}

function oneLine(text: string | undefined): string {
  return (text ?? "").replace(/\s*\n\s*/g, " ").trim();
}
