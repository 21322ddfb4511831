/**
 * Folded reads: several read-only readers (the server's version, the history, the lock row, a
 * product's status) run on one connection, with the first query of each sent to the server as
 * ONE multi-statement query: one round trip instead of one per reader. A no-op `up` or `status`
 * is then connect + one round trip, as close to connect + `SELECT 1` as it gets.
 *
 * Readers stay the plain functions they are (each takes a `SqlClient` and handles its own
 * "table missing" case); this module only changes how their queries travel:
 * - every query issued before the batch goes out is batched; a query with parameters is batched
 *   as it is, or, when it has parameters, with them written as literals, only when that is exact
 *   (strings without a backslash or NUL, finite numbers, booleans, null; a text with no quote,
 *   comment or `$` other than its placeholders); anything else is sent on its own;
 * - later queries (a fallback read, CockroachDB's cluster version) go to the server as usual;
 * - when the batch fails (a table not there yet, on a fresh database), nothing of it is given to
 *   any reader: every reader that was waiting on it runs again, alone, exactly as it would have
 *   without this module, and sees its own error.
 * Both servers run the statements of one simple query in one implicit transaction (PostgreSQL's
 * simple query protocol; CockroachDB since 22.1: https://github.com/cockroachdb/cockroach/pull/76834),
 * and every statement here is a read.
 */
import type { QueryResult, SqlClient } from "./db";

/** A read-only reader: it may run several queries, and may catch their errors. */
export type Reader<T> = (client: SqlClient) => Promise<T>;

type Results<T extends readonly Reader<unknown>[]> = { [K in keyof T]: T[K] extends Reader<infer R> ? R : never };

interface Pending {
  /** Which reader asked. */
  reader: number;
  text: string;
  resolve(result: QueryResult<never>): void;
}

/**
 * Runs `readers` on `client`, their first queries in one round trip; resolves with each reader's
 * result, in order. A reader's own error rejects the whole call, as it would run alone.
 */
export async function readTogether<T extends readonly Reader<unknown>[]>(
  client: SqlClient,
  readers: T,
): Promise<Results<T>> {
  const pending: Pending[] = [];
  let open = true;
  const batching = (reader: number): SqlClient => ({
    query<R>(text: string, values?: unknown[]): Promise<QueryResult<R>> {
      const inlined = open ? inline(text, values) : undefined;
      if (inlined === undefined) return client.query<R>(text, values);
      return new Promise<QueryResult<R>>((resolve) => {
        pending.push({ reader, text: inlined, resolve: resolve as Pending["resolve"] });
      });
    },
    end: () => Promise.resolve(),
  });
  const runs = readers.map((reader, k) => reader(batching(k)));
  // Let every reader reach its first query: nothing but promise callbacks runs in between.
  await new Promise((resolve) => setImmediate(resolve));
  open = false;
  const rerun = new Set<number>();
  if (pending.length > 0) {
    try {
      const sent = await client.query(pending.map((p) => p.text).join(";\n"));
      // One statement: one result; several: an array of them (node-postgres).
      const results = Array.isArray(sent) ? (sent as QueryResult<never>[]) : [sent as QueryResult<never>];
      pending.forEach((p, k) => p.resolve(results[k]));
    } catch {
      // Nothing of a failed batch reaches a reader (it could not tell whose statement failed):
      // each reader that waited on it runs again alone; its first run is left waiting, unread.
      for (const p of pending) rerun.add(p.reader);
    }
  }
  const out = await Promise.all(readers.map((reader, k) => (rerun.has(k) ? reader(client) : runs[k])));
  return out as Results<T>;
}

/** `text` with `values` written in as literals, or undefined when that would not be exact. */
export function inline(text: string, values: unknown[] = []): string | undefined {
  if (values.length === 0) return text;
  // Quotes, comments and dollar-quoting would make a placeholder's meaning depend on context.
  if (/['"]|--|\/\*/.test(text) || /\$(?!\d)/.test(text)) return undefined;
  const literals = values.map(literal);
  if (literals.some((l) => l === undefined)) return undefined;
  let unknownPlaceholder = false;
  const out = text.replace(/\$(\d+)/g, (_m, n: string) => {
    const value = literals[Number(n) - 1];
    if (value === undefined) unknownPlaceholder = true;
    return value ?? "";
  });
  return unknownPlaceholder ? undefined : out;
}

function literal(value: unknown): string | undefined {
  if (value === null) return "NULL";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : undefined;
  // Standard-conforming strings: a quote is doubled; a backslash or NUL is not written in.
  if (typeof value === "string" && !/[\\\0]/.test(value)) return `'${value.replace(/'/g, "''")}'`;
  return undefined;
}
