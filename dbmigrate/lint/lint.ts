/**
 * `dbmigrate lint`: parses each file with PostgreSQL's grammar, runs dbmigrate's rules on the
 * syntax tree and squawk on the same text, applies waivers, and returns one report. The engine,
 * the CLI and the Pulumi provider's `check` all call {@link lintSources}.
 */
import { normaliseSql } from "../migrations";
import {
  checkCockroachdbGrammar,
  grammarFindingsBesides,
  grammarFindingsByStatement,
  type CockroachdbGrammarOptions,
} from "../sql/cockroachdb-grammar";
import { isCockroachdbOnly } from "../sql/cockroachdb-only";
import { OLDEST_COCKROACHDB_VERSION, versionForFile } from "../sql/cockroachdb-version";
import { SqlSyntaxError, type ParsedSql, type Statement } from "../sql/parse";
import { parseSqlOnce } from "../sql/parse-cache";
import { waiversOf } from "../sql/waivers";
import type { Finding, LintReport } from "./finding";
import type { Hit, Rule } from "./rule";
import { ALL_RULES, FILE_RULES, META_RULES, RULES } from "./rules";
import { SchemaModel } from "./schema-model";
import { runSquawk, squawkBinary } from "./squawk";

/** A file to lint: the name to report and its text as read. */
export interface LintSource {
  file: string;
  text: string;
}

/** What a lint run may use. */
export interface LintOptions {
  /** Migrations applied before the targets, in order: they tell existing tables from new ones. */
  context?: LintSource[];
  /** Run squawk too. Default true. */
  squawk?: boolean;
  /** CockroachDB's grammar: the oldest version supported, and whether it must run (docs/adrs/0013). */
  cockroachdb?: CockroachdbGrammarOptions;
}

/** Lints `targets` in order (each sees the schema the ones before it leave). */
export async function lintSources(targets: LintSource[], options: LintOptions = {}): Promise<LintReport> {
  // CockroachDB's grammar: one helper process per grammar for all the files, started first so it
  // runs while PostgreSQL's parser reads the context and the files (awaited where a file needs it).
  const crdbRun = checkCockroachdbGrammar(
    targets.map((t) => ({ file: t.file, text: normaliseSql(t.text) })),
    options.cockroachdb,
  );
  // Settled now, awaited later: a rejection (helper missing under `require`) is not unhandled meanwhile.
  crdbRun.catch(() => undefined);
  const crdbFindingsOf = async (file: string) => (await crdbRun).findings.get(file) ?? [];
  const schema = new SchemaModel();
  for (const source of options.context ?? []) {
    try {
      for (const statement of (await parseSqlOnce(normaliseSql(source.text), source.file)).statements) {
        schema.apply(statement);
      }
    } catch {
      // A context file that does not parse is reported when it is itself linted.
    }
  }
  const findings: Finding[] = [];
  const notes: string[] = [];
  const binary = options.squawk === false ? undefined : squawkBinary();
  if (options.squawk !== false && !binary) {
    notes.push(
      `squawk is not installed for ${process.platform}-${process.arch}: PostgreSQL locking rules were not checked (add @squawk-cli/${process.platform}-${process.arch} to optionalDependencies, then npm ci)`,
    );
  }
  for (const target of targets) {
    schema.beginFile();
    const text = normaliseSql(target.text);
    // A CockroachDB-only file (-- dbmigrate:requires cockroachdb): CockroachDB's grammar alone.
    if (isCockroachdbOnly(text)) {
      findings.push(...grammarFindingsBesides(await crdbFindingsOf(target.file)));
      continue;
    }
    const context = {
      cockroachdbVersion: versionForFile(text, options.cockroachdb?.version ?? OLDEST_COCKROACHDB_VERSION),
    };
    let parsed: ParsedSql;
    try {
      parsed = await parseSqlOnce(text, target.file);
    } catch (error) {
      if (!(error instanceof SqlSyntaxError)) throw error;
      findings.push(
        ...grammarFindingsBesides(await crdbFindingsOf(target.file), {
          text,
          line: error.line ?? 1,
          column: error.column ?? 1,
        }),
      );
      findings.push({
        rule: META_RULES.syntaxError.id,
        severity: "error",
        source: "parser",
        file: target.file,
        line: error.line ?? 1,
        column: error.column ?? 1,
        message: error.message.replace(/^.*? does not parse: /, ""),
        fix: META_RULES.syntaxError.fix,
      });
      continue;
    }
    const perStatement = new Map<Statement, Finding[]>(parsed.statements.map((s) => [s, []]));
    const found = (rule: Pick<Rule, "id" | "severity" | "fix">, statement: Statement, hit: Hit) =>
      perStatement.get(statement)?.push(ruleFinding(rule, hit, statement, parsed, target.file));
    for (const statement of parsed.statements) {
      for (const rule of RULES) for (const hit of rule.check(statement, schema, context)) found(rule, statement, hit);
      schema.apply(statement);
    }
    for (const rule of FILE_RULES) {
      for (const hit of await rule.checkFile(parsed, text)) found(rule, hit.statement, hit);
    }
    if (binary) {
      for (const violation of await runSquawk(binary, target.file, text, parsed.runsOutsideTransaction)) {
        const offset = parsed.source.byteOfLine(violation.line + 1) + violation.column;
        const at = parsed.source.atByte(offset);
        const statement = statementAt(parsed.statements, offset);
        if (!statement) continue;
        perStatement.get(statement)?.push({
          rule: violation.rule,
          severity: "error",
          source: "squawk",
          file: target.file,
          line: at.line,
          column: at.column,
          message: violation.message,
          fix: violation.help ?? `See https://squawkhq.com/docs/${violation.rule}`,
        });
      }
    }
    for (const [statement, found] of grammarFindingsByStatement(parsed.statements, await crdbFindingsOf(target.file))) {
      perStatement.get(statement)?.push(...found);
    }
    for (const [statement, found] of perStatement) findings.push(...applyWaivers(statement, found, target.file));
  }
  notes.push(...(await crdbRun).notes);
  findings.sort(
    (a, b) => fileOrder(targets, a.file) - fileOrder(targets, b.file) || a.line - b.line || a.column - b.column,
  );
  const open = findings.filter((f) => !f.waived);
  return {
    files: targets.map((t) => t.file),
    findings,
    errors: open.filter((f) => f.severity === "error").length,
    warnings: open.filter((f) => f.severity === "warning").length,
    waived: findings.length - open.length,
    notes,
  };
}

/** A finding of one of dbmigrate's rules, placed at the hit or at its statement. */
function ruleFinding(
  rule: Pick<Rule, "id" | "severity" | "fix">,
  hit: Hit,
  statement: Statement,
  parsed: ParsedSql,
  file: string,
): Finding {
  const at = hit.at === undefined ? statement : parsed.source.atByte(hit.at);
  return {
    rule: rule.id,
    severity: rule.severity,
    source: "dbmigrate",
    file,
    line: at.line,
    column: at.column,
    message: hit.message,
    fix: rule.fix,
  };
}

const UNWAIVABLE = new Set(ALL_RULES.filter((rule) => rule.waivable === false).map((rule) => rule.id));

/** Marks the findings a waiver on the statement covers; reports waivers without reason or use. */
function applyWaivers(statement: Statement, found: Finding[], file: string): Finding[] {
  const extra: Finding[] = [];
  for (const waiver of waiversOf(statement)) {
    const place = { file, line: waiver.line, column: waiver.column, source: "dbmigrate" as const };
    if (!waiver.reason) {
      extra.push({
        ...place,
        rule: META_RULES.waiverReason.id,
        severity: "error",
        message: `the waiver of '${waiver.rule || "?"}' gives no reason`,
        fix: META_RULES.waiverReason.fix,
      });
      continue;
    }
    const covered = found.filter((f) => f.rule === waiver.rule);
    if (UNWAIVABLE.has(waiver.rule)) {
      extra.push({
        ...place,
        rule: META_RULES.unusedWaiver.id,
        severity: "warning",
        message: `'${waiver.rule}' cannot be waived: dbmigrate refuses such a statement whatever the lint says`,
        fix: META_RULES.unusedWaiver.fix,
      });
      continue;
    }
    if (covered.length === 0) {
      extra.push({
        ...place,
        rule: META_RULES.unusedWaiver.id,
        severity: "warning",
        message: `the waiver of '${waiver.rule}' matches no finding on this statement`,
        fix: META_RULES.unusedWaiver.fix,
      });
    }
    for (const finding of covered) finding.waived = { reason: waiver.reason };
  }
  return [...found, ...extra];
}

/**
 * The statement at byte `offset`: the last one starting at or before it (statements are in file
 * order). A binary search: squawk may report on every statement of a 10,000-statement file.
 */
function statementAt(statements: Statement[], offset: number): Statement | undefined {
  let low = 0;
  let high = statements.length - 1;
  let found: Statement | undefined;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (statements[mid].bytes.from <= offset) {
      found = statements[mid];
      low = mid + 1;
    } else high = mid - 1;
  }
  return found;
}

function fileOrder(targets: LintSource[], file: string): number {
  return targets.findIndex((t) => t.file === file);
}
