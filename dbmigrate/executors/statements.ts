/**
 * Statement by statement: each statement commits on its own, retried on 40001, with progress
 * recorded after each one. CockroachDB runs every migration this way (DDL in an explicit
 * transaction is not atomic there: https://www.cockroachlabs.com/docs/v24.3/online-schema-changes,
 * "does not support schema changes within explicit transactions with full atomicity guarantees");
 * PostgreSQL runs a file this way when it holds a statement that
 * cannot run inside a transaction block (execution-mode.ts). A definite failure at statement k
 * leaves the migration dirty at k, and the next `up` resumes there; an unknown outcome (40003, a
 * lost connection, a cancelled schema change) leaves it dirty for a person to check
 * (docs/adrs/0009-resumable-migrations.md). The history row and the audit row are finished in one
 * write-only transaction, fenced on the live lease. A resumed migration first re-runs the `SET`s
 * of the statements it skips (they only changed the session, which a new run does not have); the
 * session is put back after the migration, as on the transactional path. Every statement runs
 * under a short lock_timeout (lock-timeout.ts); a 55P03 retries that statement.
 */
import { inTransaction } from "../db";
import { DbMigrateError, messageOf, MigrationError, sqlStateOf } from "../errors";
import { claimDirty, forgetDirty, recordFailure, recordFinished, recordProgress, recordStarted } from "../history";
import { pad, statementHashes } from "../migrations";
import { withRetry } from "../retry";
import { restoreSession } from "../session-state";
import {
  isSchemaChange,
  LOCK_NOT_AVAILABLE,
  QUERY_CANCELED,
  statementOutcome,
  type StatementOutcome,
} from "../sqlstate";
import type { Statement } from "../sql/parse";
import { appliedRecord, errorLine, fenceBefore, leaseGone, statementError } from "./failure";
import { explainLockWait, lockTimeoutFor, lockWaitHint, setLockTimeout } from "./lock-timeout";
import type { AppliedMigration, ExecutionContext, MigrationExecutor, RunnableMigration, StartPoint } from "./types";

/** Statement by statement, with progress. */
export const statementsExecutor: MigrationExecutor = {
  mode: "statements",
  async apply(migration: RunnableMigration, start: StartPoint, context: ExecutionContext): Promise<AppliedMigration> {
    try {
      return await applyStatements(migration, start, context);
    } catch (error) {
      // A stopped migration too leaves the session as the run started it.
      await restoreSession(context.client, context.session).catch(() => undefined);
      throw error;
    }
  },
};

async function applyStatements(
  migration: RunnableMigration,
  start: StartPoint,
  context: ExecutionContext,
): Promise<AppliedMigration> {
  const { client, lock } = context;
  const retry = { clock: context.clock, logger: context.logger, options: context.retry };
  const total = migration.statements.length;
  const entry = {
    ...migration,
    appliedBy: context.appliedBy,
    statementHashes: statementHashes(migration.statements),
    replacesSkippedRow: start.skippedRow,
  };
  const marked = await withRetry(
    `marking ${migration.file} started`,
    () => (start.dirtyRow ? claimDirty(client, entry, total, lock) : recordStarted(client, entry, total, lock)),
    retry,
  );
  if (!marked) throw leaseGone(migration);
  // Before the skipped SETs are replayed, so a file's own `SET lock_timeout` still wins; a 55P03
  // retries the statement that got it.
  const lockTimeoutMs = lockTimeoutFor(migration, context);
  await setLockTimeout(client, lockTimeoutMs);
  // The migration's own `SET ROLE` in force, if any: the engine's writes between its statements
  // run as the session's role (the migration's may not write the history), then it is set again.
  let role: Statement | undefined;
  const asEngine = async <T>(write: () => Promise<T>): Promise<T> => {
    if (!role) return write();
    await client.query("RESET ROLE");
    try {
      return await write();
    } finally {
      await client.query(sessionSql(role));
    }
  };
  if (start.statement > 0) {
    context.logger.info(`resuming ${migration.file} at statement ${start.statement + 1} of ${total}`);
    for (const earlier of migration.statements.slice(0, start.statement)) {
      if (earlier.kind !== "VariableSetStmt") continue;
      await client.query(sessionSql(earlier));
      role = roleAfter(earlier, role);
    }
  }
  const started = context.clock.now();
  for (let index = start.statement; index < total; index++) {
    const statement = migration.statements[index];
    try {
      fenceBefore(context, migration, index);
    } catch (error) {
      // Stopped cleanly between statements: the next run may resume right here.
      await restoreSession(client, context.session).catch(() => undefined);
      await recordFailure(client, lock, migration.version, {
        statement: index + 1,
        line: statement.line,
        error: context.redact(`not started: ${messageOf(error)}`),
        outcomeUnknown: false,
      }).catch(() => undefined);
      if (error instanceof DbMigrateError) error.progress = progress(migration, index);
      throw error;
    }
    try {
      await withRetry(`${migration.file} line ${statement.line}`, () => client.query(sessionSql(statement)), retry);
      await refuseInvalidIndex(context, statement);
    } catch (error) {
      await restoreSession(client, context.session).catch(() => undefined);
      const explained = explainLockWait(error, statement, lockTimeoutMs, context.retry.maxAttempts);
      throw await failedAt(explained, migration, index, start, context);
    }
    role = roleAfter(statement, role);
    const live = await withRetry(
      `recording progress of ${migration.file}`,
      () => asEngine(() => recordProgress(client, lock, migration.version, index + 1)),
      retry,
    );
    // The lease is gone (`dbmigrate unlock --force`, or it lapsed): the renewal timer may not have
    // noticed yet, so say it now; the next statement's fence (or the finishing write) stops the run.
    if (!live)
      lock.markLost(
        `its lease was gone when statement ${index + 1}'s progress was recorded (broken by \`dbmigrate unlock --force\`, or lapsed)`,
      );
  }
  await restoreSession(client, context.session);
  const applied = appliedRecord(
    migration,
    context.clock.now() - started,
    start.statement + 1,
    context.engine,
    "statements",
  );
  try {
    await withRetry(
      `marking ${migration.file} finished`,
      // Writes only (no DDL): one transaction, so the audit row exists exactly when the row is clean.
      () =>
        inTransaction(client, async () => {
          if ((await recordFinished(client, migration.version, applied.durationMs, lock)) === 0) {
            throw leaseGone(migration);
          }
          for (const step of context.afterEach) await step(client, applied, lock.schema);
        }),
      retry,
    );
  } catch (error) {
    if (error instanceof DbMigrateError) {
      error.progress = progress(migration, total);
      throw error;
    }
    const failure = new MigrationError(
      `migration ${migration.file}: every statement took effect, but recording it finished (history and audit rows) failed: ${messageOf(error)}`,
      {
        file: migration.location,
        sqlState: sqlStateOf(error),
        cause: error,
        hint: `The migration stays dirty at ${total} of ${total} statements; the next \`dbmigrate up\` finishes it`,
      },
    );
    failure.progress = progress(migration, total);
    throw failure;
  }
  return applied;
}

/** Records why statement `index` failed and builds the error that says what to do. */
async function failedAt(
  error: unknown,
  migration: RunnableMigration,
  index: number,
  start: StartPoint,
  context: ExecutionContext,
): Promise<DbMigrateError> {
  const statement = migration.statements[index];
  const total = migration.statements.length;
  const k = index + 1;
  // The runner cancels a statement on a stop signal only when the server is PostgreSQL, where a
  // cancelled statement never takes effect: that cancel is a definite failure, resumable.
  const ourCancel = sqlStateOf(error) === QUERY_CANCELED && context.stopRequested?.() !== undefined;
  const outcome: StatementOutcome = ourCancel
    ? { kind: "failed", why: `cancelled on ${context.stopRequested?.()}; it did not take effect` }
    : statementOutcome(error, {
        schemaChange: isSchemaChange(statement.sql),
        resumed: index === start.statement && start.statement > 0,
      });
  // A lock not had: the hint's query names the table the statement waited for.
  if (outcome.kind === "failed" && sqlStateOf(error) === LOCK_NOT_AVAILABLE) outcome.hint = lockWaitHint(statement);
  const line = errorLine(error, statement);
  const version = pad(migration.version);
  const leftover = await invalidIndexLeft(context, statement);
  if (outcome.kind !== "ambiguous" && index === 0) {
    // The very first statement failed outright: nothing of the migration took effect (but a
    // failed CREATE INDEX CONCURRENTLY leaves its INVALID index behind).
    await forgetDirty(context.client, context.lock.schema, migration.version).catch(() => undefined);
    const why = outcome.kind === "failed" && outcome.why ? `${outcome.why}; ` : "";
    const applied = leftover ? `nothing of it was recorded, but ${leftover}` : "nothing of it was applied";
    const hint = outcome.kind === "failed" && outcome.hint ? `: ${outcome.hint}` : "";
    return withProgress(statementError(error, migration, statement, `${why}${applied}${hint}`), migration, 0);
  }
  await recordFailure(context.client, context.lock, migration.version, {
    statement: k,
    line,
    error: context.redact(messageOf(error)),
    outcomeUnknown: outcome.kind === "ambiguous",
  }).catch(() => undefined);
  let consequence: string;
  if (outcome.kind === "ambiguous") {
    consequence =
      `the outcome is unknown (${outcome.why}); the migration stays dirty at statement ${k} of ${total}: ` +
      `${outcome.check}, then \`dbmigrate resolve ${version} --applied\` if every statement took effect, ` +
      `or \`--rolled-back\` after undoing statements 1..${k}`;
  } else {
    const why = outcome.kind === "failed" && outcome.why ? `${outcome.why}; ` : "";
    const hint = outcome.kind === "failed" && outcome.hint ? ` (${outcome.hint})` : "";
    consequence =
      `${why}statements before it were committed (${eachOnItsOwn(context)}) and the migration is dirty at ` +
      `statement ${k} of ${total}: fix the cause${hint}${leftover ? `; ${leftover}` : ""}, then \`dbmigrate up\` resumes at statement ${k} (no \`resolve\` needed)`;
  }
  return withProgress(statementError(error, migration, statement, consequence), migration, index);
}

function progress(migration: RunnableMigration, done: number) {
  return {
    applied: [],
    dirty: { file: migration.file, statementsDone: done, statementsTotal: migration.statements.length },
  };
}

function withProgress(error: DbMigrateError, migration: RunnableMigration, done: number): DbMigrateError {
  error.progress = done === 0 ? { applied: [] } : progress(migration, done);
  return error;
}

/** Why the statements before a failure stay committed, in the words of the engine at hand. */
function eachOnItsOwn(context: ExecutionContext): string {
  return context.engine === "cockroachdb"
    ? "CockroachDB runs each on its own"
    : "this file runs outside a transaction, each statement on its own";
}

/** The `SET ROLE` in force after `statement` ran (`RESET ROLE` / `SET ROLE NONE` clear it). */
function roleAfter(statement: Statement, current: Statement | undefined): Statement | undefined {
  if (statement.kind !== "VariableSetStmt" || statement.tree.name !== "role") return current;
  const args = (statement.tree.args ?? []) as { A_Const?: { sval?: { sval?: string } } }[];
  const none = args[0]?.A_Const?.sval?.sval?.toLowerCase() === "none";
  return statement.tree.kind === "VAR_SET_VALUE" && !none ? statement : undefined;
}

/**
 * The text sent for `statement`. `SET LOCAL x` means "until the end of this migration" in a file
 * written for a transaction; outside one PostgreSQL ignores it (with a warning) and CockroachDB
 * refuses it, so it is sent as `SET x`: the engine puts the session back after the migration.
 */
function sessionSql(statement: Statement): string {
  if (statement.kind !== "VariableSetStmt" || !statement.tree.is_local) return statement.sql;
  return statement.sql.replace(/^SET\s+LOCAL\s+/i, "SET ");
}

/**
 * A `CREATE INDEX CONCURRENTLY IF NOT EXISTS` that met the INVALID index of an earlier failed build
 * succeeds without building anything: recorded as applied, the index would enforce nothing and
 * `verify` would pass. So after such a statement on PostgreSQL the index must be valid.
 */
async function refuseInvalidIndex(context: ExecutionContext, statement: Statement): Promise<void> {
  if (context.engine !== "postgres") return;
  if (await invalidIndexLeft(context, statement)) {
    throw new Error(`index ${String(statement.tree.idxname)} exists but is INVALID, so nothing was built`);
  }
}

/**
 * A failed `CREATE INDEX CONCURRENTLY` leaves its index behind, marked INVALID (PostgreSQL's
 * CREATE INDEX page): it enforces nothing, and `IF NOT EXISTS` on the retry would keep it. Says
 * which, and how to drop it; undefined for any other statement or when none was left.
 */
async function invalidIndexLeft(context: ExecutionContext, statement: Statement): Promise<string | undefined> {
  const name = statement.tree.idxname;
  if (statement.kind !== "IndexStmt" || !statement.tree.concurrent || typeof name !== "string") return undefined;
  const { rows } = await context.client
    .query<{ qualified: string }>(
      `SELECT format('%I.%I', n.nspname, c.relname) AS qualified FROM pg_index i
         JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relname = $1 AND NOT i.indisvalid`,
      [name],
    )
    .catch(() => ({ rows: [] as { qualified: string }[] }));
  if (rows.length === 0) return undefined;
  return `PostgreSQL left the INVALID index ${rows[0].qualified} behind: drop it (DROP INDEX CONCURRENTLY ${rows[0].qualified}) before running \`dbmigrate up\` again`;
}
