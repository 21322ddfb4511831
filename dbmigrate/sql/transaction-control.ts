/**
 * Transaction control inside a migration. The engine owns the transaction (PostgreSQL: one per
 * migration, with its history row) or runs statements one by one (CockroachDB), so a migration's
 * own BEGIN, COMMIT, ROLLBACK, SAVEPOINT or SET TRANSACTION would break what it promises: a
 * COMMIT in the middle makes half a migration permanent while the history says nothing ran.
 */
// The tree alone, no parser: a migration whose parse comes from the cache is checked without
// loading libpg-query. A PL/pgSQL body needs its parser: see plpgsql-transaction-control.ts.
import type { Statement } from "./parse";

const TRANSACTION_STATEMENTS: Record<string, string> = {
  TRANS_STMT_BEGIN: "BEGIN",
  TRANS_STMT_START: "START TRANSACTION",
  TRANS_STMT_COMMIT: "COMMIT",
  TRANS_STMT_ROLLBACK: "ROLLBACK",
  TRANS_STMT_SAVEPOINT: "SAVEPOINT",
  TRANS_STMT_RELEASE: "RELEASE SAVEPOINT",
  TRANS_STMT_ROLLBACK_TO: "ROLLBACK TO SAVEPOINT",
  TRANS_STMT_PREPARE: "PREPARE TRANSACTION",
  TRANS_STMT_COMMIT_PREPARED: "COMMIT PREPARED",
  TRANS_STMT_ROLLBACK_PREPARED: "ROLLBACK PREPARED",
};

/**
 * What transaction control `statement` is (`"COMMIT"`, `"SET TRANSACTION"`, `"COMMIT in a DO
 * block (line 4)"`), or undefined. A statement from `parseSql` carries what its procedural body
 * holds too (found when it was parsed: plpgsql-transaction-control.ts).
 */
export function transactionControlOf(
  statement: Pick<Statement, "kind" | "tree"> & { transactionControl?: string },
): string | undefined {
  return statement.transactionControl ?? topLevelControl(statement);
}

function topLevelControl(statement: Pick<Statement, "kind" | "tree">): string | undefined {
  if (statement.kind === "TransactionStmt") {
    return TRANSACTION_STATEMENTS[String(statement.tree.kind)] ?? "transaction control";
  }
  if (statement.kind === "VariableSetStmt") {
    const name = String(statement.tree.name ?? "");
    // SET TRANSACTION ..., SET TRANSACTION SNAPSHOT, SET SESSION CHARACTERISTICS AS TRANSACTION ...
    if (name.startsWith("TRANSACTION")) return "SET TRANSACTION";
    if (name === "SESSION CHARACTERISTICS") return "SET SESSION CHARACTERISTICS AS TRANSACTION";
  }
  return undefined;
}
