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
  /** Exit code the CLI uses for it: 1 for a failed operation, 2 for a usage error, 128 + n after signal n. */
  readonly exitCode: number = 1;

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

/**
 * A run stopped on SIGINT or SIGTERM: the statement in flight was finished or cancelled, where it
 * stopped is recorded as a clean stop (the next `up` resumes it), the lock released. Exit 130 / 143.
 */
export class StoppedError extends DbMigrateError {
  override readonly exitCode: number;
  constructor(
    readonly signal: NodeJS.Signals,
    message: string,
    details: ErrorDetails = {},
  ) {
    super(message, details);
    this.exitCode = 128 + (signal === "SIGINT" ? 2 : signal === "SIGTERM" ? 15 : 1);
  }
}

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

/** What to do about a database error the engine did not explain itself, by SQLSTATE (or its class). */
const SQLSTATE_ADVICE: Record<string, { what: string; hint: string }> = {
  "42501": {
    what: "the database user lacks a privilege",
    hint: "PostgreSQL 15+ no longer lets every user create in schema public: connect as the schema's owner, or `GRANT CREATE ON SCHEMA public TO <user>`",
  },
  "3F000": {
    what: "the schema to work in does not exist",
    hint: "Check search_path (e.g. `options=-c search_path=...` in the DSN) names an existing schema, or drop that option",
  },
  "57014": {
    what: "a statement ran past the statement timeout and was cancelled",
    hint: "Raise --statement-timeout (milliseconds), or find what blocks it (a long transaction, a lock)",
  },
  "55P03": {
    what: "a lock could not be obtained in time",
    hint: "Another session holds a lock on the same table: wait for it or end it, then retry",
  },
  "25006": {
    what: "the database is read-only (a standby or a read-only transaction)",
    hint: "Connect to the primary, or drop default_transaction_read_only",
  },
  "53300": {
    what: "the server has no connection slots left",
    hint: "Close idle connections or raise max_connections, then retry",
  },
  "57P01": { what: "the server ended the session", hint: "Retry; if it repeats, check the server's logs" },
  "57P03": {
    what: "the server is starting up or shutting down",
    hint: "Wait for it to accept connections, then retry",
  },
  "40001": {
    what: "a transaction kept conflicting with another one (serialization failure)",
    hint: "Retry when the other writers are done",
  },
  "42P01": { what: "a table the engine needs does not exist", hint: "Run `dbmigrate up` first" },
  "42703": { what: "a column the engine needs does not exist", hint: "Run `dbmigrate status` to see the state" },
  "08": { what: "the connection to the database failed", hint: "Check the network and the server's logs, then retry" },
  "53": { what: "the server ran out of a resource", hint: "Check the server's disk, memory and connection limits" },
  "28": { what: "the server refused the credentials", hint: "Check the user and password in the DSN (or its secret)" },
};

/** File-system error codes, said in words. */
const FILE_PROBLEMS: Record<string, string> = {
  ENOENT: "no such file or folder",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EISDIR: "is a folder",
  ENOTDIR: "a part of the path is not a folder",
  EROFS: "read-only file system",
  ENOSPC: "no space left on the device",
  EEXIST: "already exists",
};

/**
 * Turns anything thrown into a {@link DbMigrateError}: the engine's own errors as they are; a
 * database error by its SQLSTATE; a file-system error by its code and path; a malformed
 * percent-escape as a DSN problem. Whatever is left is a bug, and says so.
 */
export function toDbMigrateError(error: unknown): DbMigrateError {
  if (error instanceof DbMigrateError) return error;
  const state = sqlStateOf(error);
  const message = messageOf(error);
  if (state) {
    const advice = SQLSTATE_ADVICE[state] ?? SQLSTATE_ADVICE[state.slice(0, 2)];
    const serverHint = (error as { hint?: unknown }).hint;
    return new DbMigrateError(advice ? `${advice.what}: ${message}` : `the database refused: ${message}`, {
      sqlState: state,
      hint:
        advice?.hint ?? (typeof serverHint === "string" ? serverHint : "Run with --verbose for the server's detail"),
      cause: error,
    });
  }
  const fsError = error as NodeJS.ErrnoException;
  if (typeof fsError.code === "string" && fsError.syscall) {
    const problem = FILE_PROBLEMS[fsError.code] ?? fsError.code;
    const file = typeof fsError.path === "string" ? fsError.path : undefined;
    // A write that fails (ENOSPC on a full disk, EIO) carries no path: the caller adds it when it can.
    return new UsageError(`cannot ${verbOf(fsError.syscall)}: ${problem}`, {
      file,
      hint: FILE_HINTS[fsError.code] ?? "Check the path and its permissions",
      cause: error,
    });
  }
  if (error instanceof URIError) {
    return new UsageError("the database URL has a '%' that is not followed by two hex digits", {
      hint: "Percent-encode special characters in the user and password: '%' as %25, '@' as %40, ':' as %3A, '/' as %2F, a space as %20",
      cause: error,
    });
  }
  return new UnexpectedError(message, { cause: error });
}

/** What to do about a file-system error, by code. */
const FILE_HINTS: Record<string, string> = {
  ENOENT: "Check the path; create the folder first if it should exist",
  ENOSPC: "Free space on that device or write somewhere else; the file may be partly written",
  EROFS: "That file system is mounted read-only: write somewhere else",
};

function verbOf(syscall: string): string {
  if (syscall === "write") return "write the file";
  if (syscall === "open") return "open the file";
  if (syscall === "mkdir") return "create the folder";
  if (syscall === "scandir" || syscall === "readdir") return "read the folder";
  return `${syscall} the file`;
}

/** A failure nothing explains: a bug in dbmigrate. */
export class UnexpectedError extends DbMigrateError {
  constructor(message: string, details: ErrorDetails = {}) {
    super(`unexpected failure (a bug in dbmigrate): ${message}`, {
      ...details,
      hint: "Please report it with the output of the same command run with --verbose",
    });
  }
}

/** The one line for anything thrown, without a program prefix. Every host (CLI, provider, scripts) uses it. */
export function errorLine(error: unknown): string {
  return toDbMigrateError(error).describe();
}

/**
 * The `--json` form of a failure: `{ error: { message, kind, sqlState, file, line, hint, exitCode,
 * progress } }`, `progress` saying what a failed `up` had applied before it stopped.
 */
export function errorJson(error: unknown): {
  error: {
    message: string;
    kind: string;
    sqlState: string | null;
    file: string | null;
    line: number | null;
    hint: string | null;
    exitCode: number;
    progress: PartialProgress | null;
  };
} {
  const e = toDbMigrateError(error);
  return {
    error: {
      message: e.message,
      kind: e.name,
      sqlState: e.sqlState ?? null,
      file: e.file ?? null,
      line: e.line ?? null,
      hint: e.hint ?? null,
      exitCode: e.exitCode,
      progress: e.progress ?? null,
    },
  };
}
