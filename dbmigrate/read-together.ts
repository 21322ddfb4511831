/**
 * Folded reads: several read-only readers (the server's version, the history, the lock row, a
 * product's status) run on one connection, with the first query of each sent to the server as
 * ONE multi-statement query: one round trip instead of one per reader. A no-op `up` or `status`
 * is then connect + one round trip, as close to connect + `SELECT 1` as it gets.
 *
 * Readers stay the plain functions they are (each takes a `SqlClient` and handles its own
 * "table missing" case); this module only changes how their queries travel:
 * - every query issued before the batch goes out is batched; a query with parameters is batched
 *   with them written as literals, only when that is exact (strings without a backslash or NUL,
 *   arrays of such strings, finite numbers, booleans, null; each placeholder outside quotes and
 *   comments; no backslash, dollar quote or E'' string in the text); anything else is sent on its own;
 * - later queries (a fallback read, CockroachDB's cluster version) go to the server as usual;
 * - a reader that calls readTogether itself on the client it was given joins the batch it is in;
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
  // Already inside a batch: these readers' first queries join it (a batch of their own, sent
  // from inside the outer one, would reach the server as one entry with several results).
  if (BATCHING.has(client)) return (await Promise.all(readers.map((reader) => reader(client)))) as Results<T>;
  // Readers run at once, and one connection answers one query at a time: what is not batched
  // goes to the server in the order it was asked (node-postgres would queue it too, with a
  // deprecation warning on stderr).
  client = serialized(client);
  const pending: Pending[] = [];
  let open = true;
  const batching = (reader: number): SqlClient => {
    const batched: SqlClient = {
      query<R>(text: string, values?: unknown[]): Promise<QueryResult<R>> {
        const inlined = open ? inline(text, values) : undefined;
        if (inlined === undefined) return client.query<R>(text, values);
        return new Promise<QueryResult<R>>((resolve) => {
          pending.push({ reader, text: inlined, resolve: resolve as Pending["resolve"] });
        });
      },
      end: () => Promise.resolve(),
    };
    BATCHING.add(batched);
    return batched;
  };
  const runs = readers.map((reader, k) => reader(batching(k)));
  // A first run that fails before the batch is sent, and is then rerun because one of its queries
  // was in a failed batch, is left unread: its rejection must not surface as unhandled.
  for (const run of runs) run.catch(() => undefined);
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

/** `client`, sending one query at a time in the order they were asked. */
function serialized(client: SqlClient): SqlClient {
  let last: Promise<unknown> = Promise.resolve();
  return {
    query<R>(text: string, values?: unknown[]): Promise<QueryResult<R>> {
      const run = last.then(() => client.query<R>(text, values));
      last = run.catch(() => undefined);
      return run;
    },
    end: () => client.end(),
  };
}

/** The clients readTogether hands its readers. */
const BATCHING = new WeakSet<SqlClient>();

/** `text` with `values` written in as literals, or undefined when that would not be exact. */
export function inline(text: string, values: unknown[] = []): string | undefined {
  if (values.length === 0) return text;
  const literals = values.map(literal);
  if (literals.some((l) => l === undefined)) return undefined;
  const placeholders = placeholdersOf(text);
  if (placeholders === undefined) return undefined;
  // A value no placeholder uses makes the server refuse the query: sent alone, it still does.
  const used = new Set(placeholders.map((p) => p.index));
  if (values.some((_v, k) => !used.has(k + 1)) || placeholders.some((p) => p.index > values.length)) return undefined;
  let out = "";
  let from = 0;
  for (const p of placeholders) {
    out += text.slice(from, p.start) + literals[p.index - 1]!;
    from = p.end;
  }
  return out + text.slice(from);
}

/**
 * Where `$n` placeholders stand outside quoted text and comments; undefined when the text has
 * what a simple scan cannot read for certain (a backslash, whose meaning depends on
 * standard_conforming_strings and E'' strings; a dollar quote; an unterminated quote or comment).
 */
export function placeholdersOf(text: string): { index: number; start: number; end: number }[] | undefined {
  if (text.includes("\\")) return undefined;
  const found: { index: number; start: number; end: number }[] = [];
  let k = 0;
  while (k < text.length) {
    const c = text[k];
    if (c === "'" || c === '"') {
      const close = text.indexOf(c, k + 1);
      if (close < 0) return undefined;
      // A doubled quote inside stays inside: the scan goes on from the closing one.
      k = close + 1;
    } else if (c === "-" && text[k + 1] === "-") {
      const eol = text.indexOf("\n", k);
      k = eol < 0 ? text.length : eol + 1;
    } else if (c === "/" && text[k + 1] === "*") {
      const close = text.indexOf("*/", k + 2);
      // Nested block comments are left to the server alone.
      if (close < 0 || text.slice(k + 2, close).includes("/*")) return undefined;
      k = close + 2;
    } else if (c === "$") {
      const digits = /^\$(\d+)/.exec(text.slice(k));
      // Not a placeholder: a dollar quote ($$, $tag$) or a `$` inside a name.
      if (!digits || /[\w$]/.test(text[k - 1] ?? "")) return undefined;
      found.push({ index: Number(digits[1]), start: k, end: k + digits[0].length });
      k += digits[0].length;
    } else k++;
  }
  return found;
}

function literal(value: unknown): string | undefined {
  if (value === null) return "NULL";
  if (typeof value === "boolean") return value ? "true" : "false";
  // In parentheses when negative: `5-$1` must not become the comment `5--1`.
  if (typeof value === "number") return !Number.isFinite(value) ? undefined : value < 0 ? `(${value})` : String(value);
  // Standard-conforming strings: a quote is doubled; a backslash or NUL is not written in.
  if (typeof value === "string") return /[\\\0]/.test(value) ? undefined : `'${value.replace(/'/g, "''")}'`;
  // node-postgres sends a string array as a text[] literal: the same, written as an ARRAY.
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) {
    const items = value.map(literal);
    return items.some((i) => i === undefined) ? undefined : `ARRAY[${items.join(", ")}]::TEXT[]`;
  }
  return undefined;
}
