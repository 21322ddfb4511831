/**
 * What a command reads before it changes anything: the server, where the engine's tables are
 * (engine-schema.ts), and what the command reads there (the history, the lock, a product's
 * status, the schema drift). All of it in ONE round trip when the engine's schema is where it
 * usually is: the readers that need the schema start at once at the expected one, beside the
 * server's and the catalog's answers (read-together.ts folds their queries into one), and are read
 * again, at the schema the catalog named, only when that is another. Every reader only reads, so a
 * read at the wrong schema costs a round trip, never a change.
 */
import type { SqlClient } from "./db";
import { engineSchema, locateEngineSchema, type EngineSchema } from "./engine-schema";
import { readTogether, type Reader } from "./read-together";

/** Where the engine's tables usually are (PostgreSQL's and CockroachDB's default schema). */
export const EXPECTED_ENGINE_SCHEMA = "public";

/** A reader of something in the engine's schema. */
export type SchemaReader<T> = (client: SqlClient, at: EngineSchema) => Promise<T>;

export type SchemaResults<T extends readonly SchemaReader<unknown>[]> = {
  [K in keyof T]: T[K] extends SchemaReader<infer R> ? R : never;
};

/** What {@link inspectAt} found. */
export interface Found<P, T extends readonly SchemaReader<unknown>[]> {
  /** What the `first` reader answered (the server, the session: whatever does not need the schema). */
  first: P;
  /** The engine's schema, as {@link locateEngineSchema} finds it. */
  at: EngineSchema;
  /** Each reader's answer at `at`, in order. */
  read: SchemaResults<T>;
}

/**
 * Runs `first` and locates the engine's schema (`preferred`: the one asked for, see
 * {@link locateEngineSchema}) while `readers` read at the expected schema, all in one round trip;
 * reads again at the located schema when it differs. A reader's error at the located schema is
 * its own, as when it runs alone.
 */
export async function inspectAt<P, T extends readonly SchemaReader<unknown>[]>(
  client: SqlClient,
  options: { preferred?: string; first: Reader<P>; readers: T },
): Promise<Found<P, T>> {
  const expected = engineSchema(options.preferred ?? EXPECTED_ENGINE_SCHEMA, true);
  // Caught here: a reader's error at a schema that turns out not to be the engine's means nothing.
  const early = options.readers.map(
    (read) =>
      (c: SqlClient): Promise<PromiseSettledResult<unknown>> =>
        Promise.allSettled([read(c, expected)]).then(([settled]) => settled),
  );
  const [first, at, ...outcomes] = (await readTogether(client, [
    options.first,
    (c: SqlClient) => locateEngineSchema(c, options.preferred),
    ...early,
  ])) as [P, EngineSchema, ...PromiseSettledResult<unknown>[]];
  // The expected schema's answers stand when it is the engine's, with or without a history yet
  // (each reader answers "none" for a table that is not there, as it would at `at`).
  if (at.name === expected.name) {
    const read = outcomes.map((o) => {
      if (o.status === "rejected") throw o.reason;
      return o.value;
    });
    return { first, at, read: read as SchemaResults<T> };
  }
  const again = await readTogether(
    client,
    options.readers.map((read) => (c: SqlClient) => read(c, at)),
  );
  return { first, at, read: again as SchemaResults<T> };
}
