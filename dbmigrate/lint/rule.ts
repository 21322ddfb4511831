/** The shape of a lint rule over the syntax tree. */
import type { CockroachdbVersion } from "../sql/cockroachdb-version";
import type { ParsedSql, Statement } from "../sql/parse";
import type { Severity } from "./finding";
import type { SchemaModel } from "./schema-model";

/** One place a rule matched. */
export interface Hit {
  /** What is wrong, one line. */
  message: string;
  /** Byte offset of the offending node in the file; the statement's start when absent. */
  at?: number;
}

/** What a rule may know about the run besides the statement and the schema. */
export interface RuleContext {
  /** The oldest CockroachDB the file meets (the declared oldest, raised by its `dbmigrate:requires`). */
  cockroachdbVersion: CockroachdbVersion;
}

/** A rule: an id people write in waivers, a severity, a one-line fix, and the check. */
export interface Rule {
  id: string;
  severity: Severity;
  /** What the rule guards, for `--help`-like listings and docs. */
  summary: string;
  /** What to do instead, one line. */
  fix: string;
  /** False for a rule whose statement the engine refuses anyway: a waiver cannot make it run. */
  waivable?: boolean;
  /** The places `statement` breaks the rule; `schema` is the schema before it. */
  check(statement: Statement, schema: SchemaModel, context?: RuleContext): Hit[];
}

/** A place a file-level rule matched: the statement, and where in it. */
export interface FileHit extends Hit {
  statement: Statement;
}

/**
 * A rule that needs the whole file at once (another grammar's parse, for one): asynchronous, run
 * once per file after the statement rules. Waivers work as for {@link Rule}.
 */
export interface FileRule extends Omit<Rule, "check"> {
  /** The places the file breaks the rule; `text` is the normalised text `parsed` came from. */
  checkFile(parsed: ParsedSql, text: string): Promise<FileHit[]>;
}
