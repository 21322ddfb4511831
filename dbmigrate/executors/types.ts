/**
 * The one interface both engines' executors implement (kysely's dialect adapter, for running
 * migrations): the runner decides what runs and in which order; an executor decides how one
 * migration's statements reach the server and how its history row follows them.
 */
import type { Clock, Logger } from "../clock";
import type { SqlClient } from "../db";
import type { Engine } from "../dialect";
import type { EngineSchema } from "../engine-schema";
import type { HeldLock } from "../lock";
import type { RetryOptions } from "../retry";
import type { SessionState } from "../session-state";
import type { Statement } from "../sql/parse";
import type { ExecutionMode } from "./execution-mode";

/** One migration as the executor runs it: its statements (text and line) come from whoever parsed the file. */
export interface RunnableMigration {
  version: number;
  name: string;
  file: string;
  checksum: string;
  /** The whole text, for turning a server's error position into a line. */
  sql: string;
  /** Its statements, in order, each with its line and offset in `sql`. */
  statements: readonly Statement[];
  /** Recorded by `apply-complete` as a baseline section rather than from its own file. */
  baseline: boolean;
  /** Where errors point people: the file (or the complete schema, for a baseline section). */
  location: string;
  /** Its `-- dbmigrate:lock-timeout` header, ms: overrides {@link ExecutionContext.ddlLockTimeoutMs}. */
  lockTimeoutMs?: number;
}

/** One migration that `up` or `apply-complete` ran. */
export interface AppliedMigration {
  version: number;
  name: string;
  file: string;
  checksum: string;
  /** Wall time of its statements, ms. */
  durationMs: number;
  outcome: "applied";
  /** The statement it started at (1 unless a failed run was resumed). */
  resumedAt: number;
  /** The engine it ran on. */
  engine: Engine;
  /** In one transaction, or statement by statement. */
  mode: ExecutionMode;
}

/** Work that runs right after a migration's last statement, with its history row (same transaction where the engine has one). */
export type AfterMigrationStep = (client: SqlClient, applied: AppliedMigration, at: EngineSchema) => Promise<void>;

/** What an executor needs from the run. */
export interface ExecutionContext {
  client: SqlClient;
  /** The engine the run talks to (statement-by-statement messages differ). */
  engine: Engine;
  /** The session state each migration starts from, put back after it. */
  session: SessionState;
  /** The run's lock: checked before every statement, and fencing the history writes. */
  lock: HeldLock;
  appliedBy: string;
  clock: Clock;
  logger: Logger;
  retry: RetryOptions;
  /** The lock_timeout each migration's statements run under, ms, unless its header says otherwise. */
  ddlLockTimeoutMs: number;
  /** Audit and other steps written with the history row. */
  afterEach: readonly AfterMigrationStep[];
  /** Masks secrets in errors stored in the history. */
  redact: (text: string) => string;
  /**
   * The signal (SIGINT, SIGTERM) that asked the run to stop, once one did: checked before every
   * statement. On PostgreSQL the runner also cancels the statement in flight (a statement is
   * atomic there); on CockroachDB that statement is let finish (a cancelled schema change may go
   * on as a job).
   */
  stopRequested?: () => NodeJS.Signals | undefined;
}

/** Where to start: 0 for a fresh migration; k to resume a dirty one whose first k statements took effect. */
export interface StartPoint {
  statement: number;
  /** A dirty history row exists for it (a resume, or a crash before its first statement). */
  dirtyRow: boolean;
  /** A legacy "skipped" row exists for it (written by dbmigrate before 0.2): its history write replaces it. */
  skippedRow?: boolean;
}

/** Runs one migration on one engine. */
export interface MigrationExecutor {
  readonly mode: ExecutionMode;
  /** Applies `migration` from `start`; throws a DbMigrateError naming file, line and SQLSTATE. */
  apply(migration: RunnableMigration, start: StartPoint, context: ExecutionContext): Promise<AppliedMigration>;
}
