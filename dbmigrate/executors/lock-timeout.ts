/**
 * The short `lock_timeout` every migration runs under. On PostgreSQL a DDL statement waiting for
 * its table lock queues every later reader and writer of that table behind it, so a migration
 * stuck behind one open transaction stalls all traffic; with a short lock_timeout it gives up
 * (55P03) and the executor retries it with capped backoff (retry.ts), letting the queue drain in
 * between. The file's `-- dbmigrate:lock-timeout` header overrides the run's value. It is set as a
 * session setting: the session is put back after each migration (session-state.ts).
 */
import type { SqlClient } from "../db";
import { sqlStateOf } from "../errors";
import { LOCK_NOT_AVAILABLE, LOCK_WAIT_HINT } from "../sqlstate";
import type { Statement } from "../sql/parse";
import type { ExecutionContext, RunnableMigration } from "./types";

// CockroachDB's schema changes are online (a background job that holds no locks on the table's
// data, https://www.cockroachlabs.com/docs/stable/online-schema-changes), so this matters less
// there; lock_timeout is one of its session variables all the same
// (https://www.cockroachlabs.com/docs/stable/session-variables), and the same SET is sent.

/** The lock_timeout for `migration`, ms: its header's, or the run's. */
export function lockTimeoutFor(migration: RunnableMigration, context: ExecutionContext): number {
  return migration.lockTimeoutMs ?? context.ddlLockTimeoutMs;
}

/** The statement that sets the session's lock_timeout to `ms` (a whole number of milliseconds). */
export function lockTimeoutStatement(ms: number): string {
  return `SET lock_timeout = '${Math.trunc(ms)}ms'`;
}

/** Sets the session's lock_timeout to `ms` (a whole number of milliseconds). */
export async function setLockTimeout(client: SqlClient, ms: number): Promise<void> {
  await client.query(lockTimeoutStatement(ms));
}

/** The table `statement` locks (schema and name, as the parser read them), when its parse tree names one. */
function relationOf(statement: Statement | undefined): string[] | undefined {
  const relation = (statement?.tree as { relation?: { schemaname?: string; relname?: string } } | undefined)?.relation;
  if (!relation?.relname) return undefined;
  return relation.schemaname ? [relation.schemaname, relation.relname] : [relation.relname];
}

/** The table `statement` locks, as written in it, when its parse tree names one. */
export function lockedTable(statement: Statement | undefined): string | undefined {
  return relationOf(statement)?.join(".");
}

/** What to do about a 55P03 on `statement`: the pg_locks query names its table when it is known. */
export function lockWaitHint(statement: Statement | undefined): string {
  const parts = relationOf(statement);
  if (!parts) return LOCK_WAIT_HINT;
  const quoted = parts.map((part) => `"${part.replace(/"/g, '""')}"`.replace(/'/g, "''")).join(".");
  return LOCK_WAIT_HINT.replace("'TABLE'", `'${quoted}'`);
}

/**
 * Makes a 55P03 that outlasted the retries say what it waited for: the table (when the statement
 * names one), the lock_timeout and the attempts. Any other error is returned as it is.
 */
export function explainLockWait<E>(error: E, statement: Statement | undefined, ms: number, attempts: number): E {
  if (sqlStateOf(error) !== LOCK_NOT_AVAILABLE || !(error instanceof Error)) return error;
  const table = lockedTable(statement);
  const on = table ? `a lock on table ${table}` : "a lock";
  error.message = `waited for ${on} longer than lock_timeout (${ms} ms) in each of ${attempts} attempts: ${error.message}`;
  return error;
}
