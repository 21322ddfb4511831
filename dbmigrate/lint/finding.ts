/** What `dbmigrate lint` reports: findings with a rule id, a severity, a place and a one-line fix. */

/**
 * `error` fails the lint (exit 1, a failed preview); `warning` is shown and passes; `info` says
 * how the engine will run a statement (e.g. outside a transaction) and is not counted.
 */
export type Severity = "error" | "warning" | "info";

/** Who found it: dbmigrate's own rules on the syntax tree, PostgreSQL's parser, CockroachDB's parser, or squawk. */
export type FindingSource = "dbmigrate" | "parser" | "cockroachdb" | "squawk";

/** One finding. */
export interface Finding {
  rule: string;
  severity: Severity;
  source: FindingSource;
  file: string;
  line: number;
  column: number;
  /** What is wrong, one line. */
  message: string;
  /** What to do, one line. */
  fix: string;
  /** Set when a `-- dbmigrate:allow RULE reason` comment waives it: it then fails nothing. */
  waived?: { reason: string };
}

/** The whole run. */
export interface LintReport {
  /** The files linted, as given. */
  files: string[];
  /** Every finding, waived ones included, ordered by file, line and column. */
  findings: Finding[];
  /** Unwaived errors. */
  errors: number;
  /** Unwaived warnings. */
  warnings: number;
  /** Waived findings. */
  waived: number;
  /** Things the run could not do (e.g. squawk missing on this platform), one line each. */
  notes: string[];
}

/** `file:line:column`. */
export function placeOf(finding: Pick<Finding, "file" | "line" | "column">): string {
  return `${finding.file}:${finding.line}:${finding.column}`;
}
