/**
 * The database client the engine needs, injected: node-postgres' `Client` satisfies it, and a
 * test can wrap one (to inject SQLSTATE 40001, say) without the engine knowing.
 */

import { sqlStateOf } from "./errors";
import { DUPLICATE_OBJECT, DUPLICATE_TABLE, UNIQUE_VIOLATION } from "./sqlstate";

/** The part of a query result the engine reads. */
export interface QueryResult<R> {
  rows: R[];
  rowCount: number | null;
}

/** A single connection. */
export interface SqlClient {
  /** Runs one query; `values` are bound parameters, never spliced into the text. */
  query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
  /** Closes the connection. */
  end(): Promise<void>;
}

/** Opens a new connection to the target database. */
export type Connect = () => Promise<SqlClient>;

/** Runs `work` on a fresh connection and always closes it. */
export async function withClient<T>(connect: Connect, work: (client: SqlClient) => Promise<T>): Promise<T> {
  const client = await connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * `CREATE TABLE IF NOT EXISTS` can still fail on PostgreSQL when another session creates the
 * same table at the same moment (23505 on pg_type, 42710 "type ... already exists", or 42P07);
 * the table then exists, which is all we wanted.
 */
export async function createIfMissing(client: SqlClient, ddl: string): Promise<void> {
  try {
    await client.query(ddl);
  } catch (error) {
    const state = sqlStateOf(error);
    if (state !== UNIQUE_VIOLATION && state !== DUPLICATE_TABLE && state !== DUPLICATE_OBJECT) throw error;
  }
}

/**
 * Runs `work` between BEGIN and COMMIT; rolls back and rethrows when it fails. `begin`: the
 * statement(s) that open it, e.g. `BEGIN; SET lock_timeout = '3s'` (one round trip for both).
 */
export async function inTransaction<T>(client: SqlClient, work: () => Promise<T>, begin = "BEGIN"): Promise<T> {
  try {
    await client.query(begin);
  } catch (error) {
    // A statement after BEGIN failed: the transaction is open and aborted; never leave it so.
    if (begin !== "BEGIN") await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
  try {
    const result = await work();
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}
