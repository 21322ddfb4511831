/**
 * A transactional migration's statements sent as ONE multi-statement query (one round trip, as
 * node-pg-migrate and psql send a file), inside the transaction the executor opened, with a
 * failure still mapped to its statement and line:
 * - a syntax or name error carries the server's position in the query text: it names the
 *   statement, and is made relative to it so the line comes out as if it ran alone;
 * - an error with no position (a constraint, a type that already exists) is located by rolling
 *   back to a savepoint taken at the start of the query and running the statements one by one in
 *   the same transaction until one fails: that statement and its own error are reported;
 * - when even that cannot run (the connection is gone), the statement is reported as unknown.
 * PostgreSQL runs the statements of a simple query one after another and stops at the first error
 * (https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-MULTI-STATEMENT).
 * Only for migrations that run in one transaction: progress statement by statement (CockroachDB,
 * files that cannot run in a transaction) keeps one round trip per statement.
 */
import type { SqlClient } from "../db";
import type { Statement } from "../sql/parse";

/** Where the statements can be rolled back to, to find the one that failed. */
const SAVEPOINT = "dbmigrate_statements";

/** What the executor learns while the statements run. */
export interface OneQueryHooks {
  /** Before statement `index` is sent (the lease check); once for the whole query. */
  before(index: number): void;
  /**
   * The statement that failed (called before the error is thrown); undefined when it cannot be
   * known (the connection was lost while the query ran).
   */
  failed(statement: Statement | undefined): void;
}

/**
 * Runs `statements` in the open transaction as one query. On failure throws the server's error for
 * the failing statement (its `position`, if any, relative to that statement) after naming the
 * statement through `hooks.failed`.
 */
export async function runAsOneQuery(
  client: SqlClient,
  statements: readonly Statement[],
  hooks: OneQueryHooks,
): Promise<void> {
  if (statements.length === 0) return;
  hooks.before(0);
  const prefix = `SAVEPOINT ${SAVEPOINT};\n`;
  const texts = statements.map((s) => s.sql);
  try {
    await client.query(prefix + texts.join(";\n"));
  } catch (error) {
    const position = Number((error as { position?: string }).position);
    const at = Number.isFinite(position) && position > 0 ? statementAt(texts, position - length(prefix)) : undefined;
    if (at) {
      (error as { position?: string }).position = String(at.position);
      hooks.failed(statements[at.index]);
      throw error;
    }
    await locate(client, statements, hooks, error);
  }
}

/**
 * The statement that holds 1-based character `position` of the joined text, and the position
 * within it; undefined when it falls on a separator or the savepoint (then locate by running).
 */
function statementAt(texts: string[], position: number): { index: number; position: number } | undefined {
  let start = 1;
  for (const [index, text] of texts.entries()) {
    const end = start + length(text);
    if (position >= start && position < end) return { index, position: position - start + 1 };
    start = end + length(";\n");
  }
  return undefined;
}

/** Reruns the statements one by one after the savepoint; throws the first one's error. */
async function locate(
  client: SqlClient,
  statements: readonly Statement[],
  hooks: OneQueryHooks,
  original: unknown,
): Promise<never> {
  // Without the connection or the savepoint there is nothing to rerun: the original error stands.
  try {
    await client.query(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`);
  } catch {
    hooks.failed(undefined);
    throw original;
  }
  for (const [index, statement] of statements.entries()) {
    if (index > 0) hooks.before(index);
    try {
      await client.query(statement.sql);
    } catch (error) {
      hooks.failed(statement);
      throw error;
    }
  }
  // Every statement ran alone: the failure depended on running them as one (it should not).
  hooks.failed(undefined);
  throw original;
}

/** Length in characters (code points), as the server counts positions. */
function length(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}
