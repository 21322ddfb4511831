/**
 * How a migration's statements reach the server: in one transaction (PostgreSQL's default: all or
 * nothing), or one statement at a time, each committing on its own, with progress recorded after
 * each (CockroachDB always, where DDL in a transaction is not atomic:
 * https://www.cockroachlabs.com/docs/v24.3/online-schema-changes; and PostgreSQL for a file
 * holding a statement PostgreSQL refuses inside a transaction block, SQLSTATE 25001).
 *
 * Decided from the parsed file before anything runs, like Flyway (which runs such a script outside
 * a transaction) and Atlas (`-- atlas:txmode none`): the parser flags each statement that cannot
 * run in a transaction (`Statement.runsOutsideTransaction`, sql/outside-transaction.ts), and a file
 * may also opt in with a `-- dbmigrate:no-transaction` comment (Atlas's `-- atlas:txmode none` and
 * postgres-migrations' `-- postgres-migrations disable-transaction` are read the same way, so a
 * folder moved from those tools keeps its meaning).
 */
import type { Engine } from "../dialect";
import type { Statement } from "../sql/parse";

/** `transaction`: the file and its history row commit together; `statements`: one at a time, resumable. */
export type ExecutionMode = "transaction" | "statements";

/** The comment that opts a file out of the transaction on PostgreSQL. */
export const NO_TRANSACTION_DIRECTIVE = "dbmigrate:no-transaction";

const DIRECTIVE = new RegExp(
  `^--\\s*(?:${NO_TRANSACTION_DIRECTIVE}|atlas:txmode\\s+none|postgres-migrations\\s+disable-transaction)\\s*$`,
);

/** Why a migration runs the way it does. */
export interface ModeDecision {
  mode: ExecutionMode;
  /** For `statements` on PostgreSQL: what needs it (a command, or the directive). */
  reason?: string;
  /** 1-based line of that statement or directive. */
  line?: number;
}

/** How `statements` run on `engine`. */
export function executionMode(engine: Engine, statements: readonly Statement[]): ModeDecision {
  if (engine === "cockroachdb") return { mode: "statements" };
  const directive = statements.flatMap((s) => s.comments).find((c) => DIRECTIVE.test(c.text));
  if (directive) {
    return { mode: "statements", reason: `the file says ${directive.text.trim()}`, line: directive.line };
  }
  const needs = statements.find((s) => s.runsOutsideTransaction);
  if (needs) {
    const what = needs.outsideTransactionReason ?? "this statement";
    return { mode: "statements", reason: `${what} cannot run inside a transaction block`, line: needs.line };
  }
  return { mode: "transaction" };
}
