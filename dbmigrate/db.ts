/**
 * The database client the engine needs, injected: node-postgres' `Client` satisfies it, and a
 * test can wrap one (to inject SQLSTATE 40001, say) without the engine knowing.
 */

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
