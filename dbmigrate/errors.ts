/**
 * Errors that dbmigrate reports to people. Each renders as one line: what failed, where (file,
 * line, migration), the SQLSTATE when the database gave one, and what to do next.
 */

/** Where an error happened and what to do about it; every field is optional. */
export interface ErrorDetails {
  /** The migration or schema file involved, relative to the project (e.g. `migrations/0001_x.sql`). */
  file?: string;
  /** 1-based line in `file`. */
  line?: number;
  /** 1-based column (in characters) in `line`, when the position is that precise. */
  column?: number;
  /** The five-character SQLSTATE the server sent, if any. */
  sqlState?: string;
  /** One sentence saying what to do next. */
  hint?: string;
  /** The underlying error, shown with `--verbose`. */
  cause?: unknown;
}

/** What a run had done when it failed, so `--json` and the Pulumi provider can report partial progress. */
export interface PartialProgress {
  /** Files this run applied (and recorded, with their audit rows) before the failure, in order. */
  applied: string[];
  /** The migration left dirty by the failure, and how far it got. */
  dirty?: { file: string; statementsDone: number; statementsTotal: number };
}

/** Base class: a problem dbmigrate understood and can explain in one line. */
export class DbMigrateError extends Error {
  /** Set by the engine on a failure during `up` or `apply-complete`. */
  progress?: PartialProgress;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly sqlState?: string;
  readonly hint?: string;
  /** Exit code the CLI uses for it: 1 for a failed operation, 2 for a usage error. */
  readonly exitCode: 1 | 2 = 1;

  constructor(message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.file = details.file;
    this.line = details.line;
    this.column = details.column;
    this.sqlState = details.sqlState;
    this.hint = details.hint;
  }

  /** The one line shown to people. */
  describe(): string {
    let where = "";
    if (this.file) where = ` (${[this.file, this.line, this.line && this.column].filter(Boolean).join(":")})`;
    const state = this.sqlState ? ` [SQLSTATE ${this.sqlState}]` : "";
    const hint = this.hint ? `. ${this.hint}` : "";
    return `${this.message}${where}${state}${hint}`;
  }
}

/** A migration failed to apply; carries the file, the line of the failing statement and the cause. */
export class MigrationError extends DbMigrateError {}

/** The files or the history are not in a state that may be applied (changed, missing, dirty, out of order). */
export class PlanError extends DbMigrateError {
  /** Every problem found, one line each. */
  readonly problems: string[];
  constructor(problems: string[], hint: string) {
    super(`${problems.length} problem(s) with the migration history: ${problems.join("; ")}`, { hint });
    this.problems = problems;
  }
}

/** Could not connect, authenticate or verify TLS. */
export class ConnectionError extends DbMigrateError {}

/** Reading a secret from Secret Manager failed. */
export class SecretError extends DbMigrateError {}

/** The migration lock stayed held by someone else past the wait limit, or was lost. */
export class LockError extends DbMigrateError {}

/** The default tenant cannot be brought to what was asked (a slug or hostname taken by another tenant): exit 1. */
export class SeedError extends DbMigrateError {}

/** Bad flags, arguments, file names or parameters: exit code 2. */
export class UsageError extends DbMigrateError {
  override readonly exitCode = 2 as const;
}

/** The SQLSTATE of a driver error, if it has one. */
export function sqlStateOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** The message of anything thrown. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
