/**
 * PostgreSQL's default: a migration, its history row and its audit row commit in one transaction,
 * or not at all. The history insert is fenced on the live lease and holds the lock row until
 * COMMIT, so no other runner can take the lease over in between. What the migration set in the
 * session (search_path, timeouts, role) is put back before the history row is written. Each
 * attempt runs under a short lock_timeout (lock-timeout.ts); a 55P03 retries the whole transaction.
 */
import { inTransaction } from "../db";
import { DbMigrateError, LockError, messageOf, MigrationError, sqlStateOf } from "../errors";
import { recordApplied } from "../history";
import { withRetry } from "../retry";
import { restoreSession } from "../session-state";
import type { Statement } from "../sql/parse";
import { appliedRecord, fenceBefore, leaseGone, statementError } from "./failure";
import { explainLockWait, lockTimeoutFor, lockTimeoutStatement, lockWaitHint } from "./lock-timeout";
import { runAsOneQuery } from "./one-query";
import { LOCK_NOT_AVAILABLE } from "../sqlstate";
import type { AppliedMigration, ExecutionContext, MigrationExecutor, RunnableMigration } from "./types";

/** One transaction per migration. */
export const transactionExecutor: MigrationExecutor = {
  mode: "transaction",
  async apply(migration: RunnableMigration, start, context: ExecutionContext): Promise<AppliedMigration> {
    const { client } = context;
    // The statement that failed; undefined when the failure was not a statement's.
    let failed: Statement | undefined;
    // The file was sent as one query and the statement that failed cannot be known (connection lost).
    let unlocated = false;
    const lockTimeoutMs = lockTimeoutFor(migration, context);
    try {
      return await withRetry(
        migration.file,
        async () => {
          const started = context.clock.now();
          // The lock_timeout is set inside the transaction (a rollback, and a retry after 55P03,
          // puts it back too), in the round trip that opens it.
          const begin = `BEGIN; ${lockTimeoutStatement(lockTimeoutMs)}`;
          return inTransaction(
            client,
            async () => {
              failed = undefined;
              // One round trip for the whole file; a failure still names its statement and line.
              await runAsOneQuery(client, migration.statements, {
                before: (index) => fenceBefore(context, migration, index),
                failed: (statement) => {
                  failed = statement;
                  unlocated = statement === undefined;
                },
              });
              // The statements went as one query: the lease is checked again before anything is
              // recorded, as it is before each statement on the paths that send them one by one.
              fenceBeforeRecording(context, migration);
              await restoreSession(client, context.session);
              const applied = appliedRecord(migration, context.clock.now() - started, 1, context.engine, "transaction");
              const entry = { ...migration, appliedBy: context.appliedBy, replacesSkippedRow: start.skippedRow };
              if (!(await recordApplied(client, entry, applied.durationMs, context.lock))) throw leaseGone(migration);
              for (const step of context.afterEach) await step(client, applied, context.lock.schema);
              return applied;
            },
            begin,
          );
        },
        { clock: context.clock, logger: context.logger, options: context.retry },
      );
    } catch (error) {
      if (error instanceof DbMigrateError) {
        error.progress = { applied: [] };
        throw error;
      }
      if (unlocated) {
        throw new MigrationError(`migration ${migration.file} failed: ${messageOf(error)}`, {
          file: migration.location,
          sqlState: sqlStateOf(error),
          cause: error,
          hint: "Nothing of it was applied (it ran in one transaction, sent as one query: which statement was running is not known)",
        });
      }
      if (failed === undefined) {
        throw new MigrationError(
          `migration ${migration.file}: recording it (history and audit rows) failed: ${messageOf(error)}`,
          {
            file: migration.location,
            sqlState: sqlStateOf(error),
            cause: error,
            hint: "Nothing of it was applied (it ran in one transaction)",
          },
        );
      }
      throw statementError(
        explainLockWait(error, failed, lockTimeoutMs, context.retry.maxAttempts),
        migration,
        failed,
        sqlStateOf(error) === LOCK_NOT_AVAILABLE
          ? `nothing of it was applied (it ran in one transaction): ${lockWaitHint(failed)}`
          : "nothing of it was applied (it ran in one transaction)",
      );
    }
  },
};

/** The lease check after a file sent as one query: a lost lock stops the run before it records anything. */
function fenceBeforeRecording(context: ExecutionContext, migration: RunnableMigration): void {
  try {
    context.lock.assertHeld();
  } catch (error) {
    if (!(error instanceof LockError)) throw error;
    throw new LockError(`${migration.file}: stopped before recording it: ${error.message}`, {
      file: migration.location,
      hint: error.hint,
    });
  }
}
