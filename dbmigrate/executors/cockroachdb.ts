/**
 * CockroachDB: each statement on its own (DDL in an explicit transaction is not atomic there),
 * retried on 40001, with progress recorded after each one. A definite failure at statement k
 * leaves the migration dirty at k, and the next `up` resumes there; an unknown outcome (40003, a
 * lost connection, a cancelled schema change) leaves it dirty for a person to check
 * (docs/adrs/0009-resumable-migrations.md). The history row and the audit row are finished in
 * one write-only transaction, fenced on the live lease.
 */
import { inTransaction } from "../db";
import { DbMigrateError, messageOf, MigrationError, sqlStateOf } from "../errors";
import { claimDirty, forgetDirty, recordFailure, recordFinished, recordProgress, recordStarted } from "../history";
import { pad, statementHashes } from "../migrations";
import { withRetry } from "../retry";
import { isSchemaChange, QUERY_CANCELED, statementOutcome, type StatementOutcome } from "../sqlstate";
import { appliedRecord, errorLine, fenceBefore, leaseGone, statementError } from "./failure";
import type { AppliedMigration, ExecutionContext, MigrationExecutor, RunnableMigration, StartPoint } from "./types";

/** Statement by statement, with progress. */
export const cockroachExecutor: MigrationExecutor = {
  engine: "cockroachdb",
  async apply(migration: RunnableMigration, start: StartPoint, context: ExecutionContext): Promise<AppliedMigration> {
    const { client, lock } = context;
    const retry = { clock: context.clock, logger: context.logger, options: context.retry };
    const total = migration.statements.length;
    const entry = {
      ...migration,
      appliedBy: context.appliedBy,
      statementHashes: statementHashes(migration.statements),
    };
    const marked = await withRetry(
      `marking ${migration.file} started`,
      () => (start.dirtyRow ? claimDirty(client, entry, total, lock) : recordStarted(client, entry, total, lock)),
      retry,
    );
    if (!marked) throw leaseGone(migration);
    if (start.statement > 0) {
      context.logger.info(`resuming ${migration.file} at statement ${start.statement + 1} of ${total}`);
    }
    const started = context.clock.now();
    for (let index = start.statement; index < total; index++) {
      const statement = migration.statements[index];
      try {
        fenceBefore(context, migration, index);
      } catch (error) {
        // Stopped cleanly between statements: the next run may resume right here.
        await recordFailure(client, migration.version, lock.owner, {
          statement: index + 1,
          line: statement.line,
          error: context.redact(`not started: ${messageOf(error)}`),
          outcomeUnknown: false,
        }).catch(() => undefined);
        if (error instanceof DbMigrateError) error.progress = progress(migration, index);
        throw error;
      }
      try {
        await withRetry(`${migration.file} line ${statement.line}`, () => client.query(statement.sql), retry);
      } catch (error) {
        throw await failedAt(error, migration, index, start, context);
      }
      await withRetry(
        `recording progress of ${migration.file}`,
        () => recordProgress(client, migration.version, lock.owner, index + 1),
        retry,
      );
    }
    const applied = appliedRecord(migration, context.clock.now() - started, start.statement + 1, "cockroachdb");
    try {
      await withRetry(
        `marking ${migration.file} finished`,
        // Writes only (no DDL): one transaction, so the audit row exists exactly when the row is clean.
        () =>
          inTransaction(client, async () => {
            if ((await recordFinished(client, migration.version, applied.durationMs, lock)) === 0) {
              throw leaseGone(migration);
            }
            for (const step of context.afterEach) await step(client, applied);
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
  },
};

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
  const line = errorLine(error, statement);
  const version = pad(migration.version);
  if (outcome.kind !== "ambiguous" && index === 0) {
    // The very first statement failed outright: nothing of the migration took effect.
    await forgetDirty(context.client, migration.version).catch(() => undefined);
    const why = outcome.kind === "failed" && outcome.why ? `${outcome.why}; ` : "";
    return withProgress(statementError(error, migration, statement, `${why}nothing of it was applied`), migration, 0);
  }
  await recordFailure(context.client, migration.version, context.lock.owner, {
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
      `${why}statements before it were committed (CockroachDB runs each on its own) and the migration is dirty at ` +
      `statement ${k} of ${total}: fix the cause${hint}, then \`dbmigrate up\` resumes at statement ${k} (no \`resolve\` needed)`;
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
