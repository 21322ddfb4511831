/**
 * Transaction control inside a migration. The engine owns the transaction (PostgreSQL: one per
 * migration, with its history row) or runs statements one by one (CockroachDB), so a migration's
 * own BEGIN, COMMIT, ROLLBACK, SAVEPOINT or SET TRANSACTION would break what it promises: a
 * COMMIT in the middle makes half a migration permanent while the history says nothing ran.
 */
import { parsePlPgSQLSync } from "libpg-query";
import type { SqlNode, Statement } from "./parse";

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
 * holds too (see {@link transactionControlInBody}).
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

/** PL/pgSQL's transaction statements, as libpg-query's PL/pgSQL parser names them. */
const PLPGSQL_CONTROL: Record<string, string> = { PLpgSQL_stmt_commit: "COMMIT", PLpgSQL_stmt_rollback: "ROLLBACK" };

function option(list: unknown, name: string): unknown {
  if (!Array.isArray(list)) return undefined;
  const found = list.find((item) => (item as { DefElem?: SqlNode }).DefElem?.defname === name) as
    { DefElem: SqlNode } | undefined;
  return found?.DefElem;
}

/**
 * Transaction control inside the PL/pgSQL body of a `DO` block, function or procedure (read with
 * libpg-query's PL/pgSQL parser): a DO block runs it during the migration (2D000 mid-run), and a
 * routine holding it fails when called inside the migration's transaction. Returns e.g. `"COMMIT
 * in a DO block"`, the 1-based line of the statement in the body, and the byte where the body's
 * quote starts, or undefined.
 */
export function transactionControlInBody(
  statement: Pick<Statement, "kind" | "tree" | "sql">,
): { control: string; bodyLine: number; bodyAt?: number } | undefined {
  const { kind, tree } = statement;
  const options = kind === "DoStmt" ? tree.args : kind === "CreateFunctionStmt" ? tree.options : undefined;
  if (options === undefined) return undefined;
  const language = (option(options, "language") as { arg?: { String?: { sval?: string } } } | undefined)?.arg?.String
    ?.sval;
  // DO defaults to plpgsql; a routine names its language. Other languages have no PL/pgSQL body,
  // and a BEGIN ATOMIC body (no "as" option) is plain SQL that cannot hold transaction control.
  if ((language ?? (kind === "DoStmt" ? "plpgsql" : undefined))?.toLowerCase() !== "plpgsql") return undefined;
  const body = option(options, "as") as SqlNode | undefined;
  if (body === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = parsePlPgSQLSync(statement.sql);
  } catch {
    // A body PL/pgSQL rejects is rejected by the server too, with its own message.
    return undefined;
  }
  const found = findControl(parsed);
  if (!found) return undefined;
  const where =
    kind === "DoStmt"
      ? "a DO block"
      : `${tree.is_procedure ? "procedure" : "function"} ${(tree.funcname as { String?: { sval?: string } }[])
          .map((n) => n.String?.sval)
          .join(".")}`;
  const bodyAt = typeof body.location === "number" && body.location >= 0 ? body.location : undefined;
  return { control: `${found.control} in ${where}`, bodyLine: found.line, ...(bodyAt === undefined ? {} : { bodyAt }) };
}

function findControl(root: unknown): { control: string; line: number } | undefined {
  if (Array.isArray(root)) {
    for (const item of root) {
      const found = findControl(item);
      if (found) return found;
    }
    return undefined;
  }
  if (root === null || typeof root !== "object") return undefined;
  for (const [key, value] of Object.entries(root)) {
    if (key in PLPGSQL_CONTROL) return { control: PLPGSQL_CONTROL[key], line: Number((value as SqlNode).lineno ?? 1) };
    const found = findControl(value);
    if (found) return found;
  }
  return undefined;
}
