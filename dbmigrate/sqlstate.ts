/**
 * What a SQLSTATE means for the engine, in one place: retry it, treat its outcome as unknown, or
 * take it as a definite failure (with what to tell the operator). Codes from PostgreSQL's
 * appendix A and CockroachDB's transaction-retry and schema-change documentation.
 */
import { messageOf, sqlStateOf } from "./errors";

/** Serialization failure: CockroachDB asks the client to retry the transaction. */
export const SERIALIZATION_FAILURE = "40001";
/** statement_completion_unknown: CockroachDB cannot say whether the statement committed. */
export const COMPLETION_UNKNOWN = "40003";
/** CockroachDB: the transaction committed but its schema change failed and was rolled back. */
export const SCHEMA_CHANGE_FAILED = "XXA00";
/**
 * lock_not_available: a statement waited longer than `lock_timeout` for a lock (the engine sets a
 * short one for every migration, so its DDL never queues other sessions behind it for long).
 * Nothing of the statement took effect: safe to retry.
 */
export const LOCK_NOT_AVAILABLE = "55P03";
/** query_canceled: a statement timeout or a cancel. */
export const QUERY_CANCELED = "57014";
/** insufficient_privilege. */
export const INSUFFICIENT_PRIVILEGE = "42501";
/** duplicate_table / duplicate_object: what re-running a CREATE that took effect says. */
export const DUPLICATE_TABLE = "42P07";
export const DUPLICATE_OBJECT = "42710";
/** undefined_table: a table the engine reads is not there yet. */
export const UNDEFINED_TABLE = "42P01";
/** undefined_column: a history table from an older dbmigrate. */
export const UNDEFINED_COLUMN = "42703";
/** unique_violation (also what two concurrent CREATE TABLE IF NOT EXISTS can raise on PostgreSQL). */
export const UNIQUE_VIOLATION = "23505";

/** The engine's reading of a failed statement. */
export type StatementOutcome =
  /** Safe to run again: nothing of it took effect. */
  | { kind: "retry" }
  /** It may or may not have taken effect: a person must check before anything runs again. */
  | { kind: "ambiguous"; why: string; check: string }
  /** The server refused it: it did not take effect. */
  | { kind: "failed"; why?: string; hint?: string };

/** Where the statement ran, which changes what some codes mean. */
export interface StatementContext {
  /** The statement is DDL: on CockroachDB it runs as a schema-change job that a cancel may not stop. */
  schemaChange: boolean;
  /** It is the first statement of a resumed migration (an earlier run stopped just before or at it). */
  resumed: boolean;
}

// node-postgres and Node's socket layer report a lost connection without a SQLSTATE.
const CONNECTION_LOST =
  /Connection terminated|connection (?:error|closed|reset)|ECONNRESET|EPIPE|ETIMEDOUT|socket hang up|Client has encountered a connection error/i;

/** True when `error` means the connection to the server is gone (so is the answer to the statement in flight). */
export function isConnectionLoss(error: unknown): boolean {
  const state = sqlStateOf(error);
  if (state) return state.startsWith("08") || state === "57P01" || state === "57P02" || state === "57P03";
  const code = (error as { code?: unknown } | null)?.code;
  return (typeof code === "string" && /^E[A-Z]+$/.test(code)) || CONNECTION_LOST.test(messageOf(error));
}

/** True for the SQLSTATEs that ask for a retry: 40001, and 55P03 (a lock not had within lock_timeout). */
export function isRetryable(error: unknown): boolean {
  const state = sqlStateOf(error);
  return state === SERIALIZATION_FAILURE || state === LOCK_NOT_AVAILABLE;
}

/** DDL: runs as a schema change (a job on CockroachDB). */
export function isSchemaChange(sql: string): boolean {
  return /^\s*(?:CREATE|ALTER|DROP|TRUNCATE|COMMENT|RENAME)\b/i.test(sql);
}

const JOBS_CHECK =
  "check CockroachDB's schema-change jobs (`SELECT job_id, status, description FROM [SHOW JOBS] WHERE job_type LIKE '%SCHEMA CHANGE%' AND status NOT IN ('succeeded', 'failed', 'canceled')`) and the objects the statement touches";

/** Why a 55P03 failure did not take effect, after the engine's retries. */
export const LOCK_WAIT_WHY =
  "it could not get its lock within lock_timeout, even after retries (55P03); it did not take effect";
/** What to do about a 55P03 failure. */
export const LOCK_WAIT_HINT =
  "find the transaction holding a lock on the table (`SELECT a.pid, a.state, a.xact_start, a.query FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE l.relation = 'TABLE'::regclass`) and let it finish or end it, or raise the file's `-- dbmigrate:lock-timeout 10s` header (or --ddl-lock-timeout)";

/** What a failed statement means. */
export function statementOutcome(error: unknown, context: StatementContext): StatementOutcome {
  const state = sqlStateOf(error);
  if (state === SERIALIZATION_FAILURE) return { kind: "retry" };
  if (state === COMPLETION_UNKNOWN) {
    return {
      kind: "ambiguous",
      why: "the server could not say whether the statement committed (40003)",
      check: context.schemaChange ? JOBS_CHECK : "check whether the statement took effect",
    };
  }
  if (isConnectionLoss(error)) {
    return {
      kind: "ambiguous",
      why: "the connection was lost while the statement ran, so whether it committed is unknown",
      check: context.schemaChange ? JOBS_CHECK : "check whether the statement took effect",
    };
  }
  if (state === LOCK_NOT_AVAILABLE) return { kind: "failed", why: LOCK_WAIT_WHY, hint: LOCK_WAIT_HINT };
  if (state === QUERY_CANCELED && context.schemaChange) {
    return {
      kind: "ambiguous",
      why: "the schema change was cancelled (57014), and its job may still be running",
      check: JOBS_CHECK,
    };
  }
  if (state === QUERY_CANCELED) {
    return {
      kind: "failed",
      why: "cancelled (statement timeout or a cancel); it did not take effect",
      hint: "raise --statement-timeout if it needs longer",
    };
  }
  if (state === SCHEMA_CHANGE_FAILED) {
    return {
      kind: "failed",
      why: "the schema change did not take effect (its transaction committed, then the schema change failed and was rolled back)",
    };
  }
  if (state === INSUFFICIENT_PRIVILEGE) {
    return { kind: "failed", hint: "grant the migration role the privilege it names (or run as the schema's owner)" };
  }
  if ((state === DUPLICATE_TABLE || state === DUPLICATE_OBJECT) && context.resumed) {
    return {
      kind: "failed",
      why: "what it creates already exists, so it took effect before (an earlier run or by hand)",
      hint: "check that the object is exactly what the statement makes; drop it and run `dbmigrate up` to resume here",
    };
  }
  return { kind: "failed" };
}
