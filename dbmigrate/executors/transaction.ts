/**
 * PostgreSQL's default: a migration, its history row and its audit row commit in one transaction,
 * or not at all. The history insert is fenced on the live lease and holds the lock row until
 * COMMIT, so no other runner can take the lease over in between. What the migration set in the
 * session (search_path, timeouts, role) is put back before the history row is written.
 */
import { inTransaction } from "../db";
import { DbMigrateError, messageOf, MigrationError, sqlStateOf } from "../errors";
import { recordApplied } from "../history";
import { withRetry } from "../retry";
import { restoreSession } from "../session-state";
import type { Statement } from "../sql/parse";
import { appliedRecord, fenceBefore, leaseGone, statementError } from "./failure";
import type { AppliedMigration, ExecutionContext, MigrationExecutor, RunnableMigration } from "./types";

/** One transaction per migration. */
export const transactionExecutor: MigrationExecutor = {
  mode: "transaction",
  async apply(migration: RunnableMigration, _start, context: ExecutionContext): Promise<AppliedMigration> {
    const { client } = context;
    // The statement that failed; undefined when the failure was not a statement's.
    let failed: Statement | undefined;
    try {
      return await withRetry(
        migration.file,
        async () => {
          const started = context.clock.now();
          return inTransaction(client, async () => {
            for (const [index, statement] of migration.statements.entries()) {
              fenceBefore(context, migration, index);
              failed = statement;
              await client.query(statement.sql);
            }
            failed = undefined;
            await restoreSession(client, context.session);
            const applied = appliedRecord(migration, context.clock.now() - started, 1, context.engine, "transaction");
            const entry = { ...migration, appliedBy: context.appliedBy };
            if (!(await recordApplied(client, entry, applied.durationMs, context.lock))) throw leaseGone(migration);
            for (const step of context.afterEach) await step(client, applied, context.lock.schema);
            return applied;
          });
        },
        { clock: context.clock, logger: context.logger, options: context.retry },
      );
    } catch (error) {
      if (error instanceof DbMigrateError) {
        error.progress = { applied: [] };
        throw error;
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
      throw statementError(error, migration, failed, "nothing of it was applied (it ran in one transaction)");
    }
  },
};
