/**
 * Transaction control inside a PL/pgSQL body (`COMMIT` in a `DO` block, a procedure's `ROLLBACK`),
 * which the engine refuses like a top-level one (see transaction-control.ts). Needs libpg-query's
 * PL/pgSQL parser, so only parseSql uses it: a parse keeps what it found in
 * `Statement.transactionControl`, and a cached parse is checked without the parser.
 */
import { parsePlPgSQLSync } from "libpg-query";
import type { SqlNode, Statement } from "./parse";

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
