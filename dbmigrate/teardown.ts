/**
 * Teardown (ADR 0006, `teardown: drop`): drops every object of the engine's schema, as the catalog
 * shows it, when that schema holds a history; the engine's own tables last. The catalog is read by
 * the snapshot module (one set of catalog queries), so a table or type added by a later migration
 * goes with the rest, where a hard-coded list of the product's tables would leave it behind.
 *
 * Runs under the migration lock, so a racing `up` either finishes first (and its objects are read
 * and dropped) or waits and then finds no history; the drops run in one transaction (atomic on
 * PostgreSQL). A dry run takes no lock and writes nothing: it only lists.
 */
import type { SqlClient } from "./db";
import { quoteIdent, type EngineSchema } from "./engine-schema";
import { sqlStateOf } from "./errors";
import { assertHistoryTable } from "./history";
import type { HeldLock } from "./lock";
import { readSnapshot } from "./snapshot/read";
import type { SchemaSnapshot } from "./snapshot/model";

// The lock table is gone when the lock is released after a teardown.
const UNDEFINED_TABLE = "42P01";

/** What a teardown dropped, or (dry run) would drop, by kind; names unqualified, in `schema`. */
export interface TeardownResult {
  readonly schema: string;
  readonly dryRun: boolean;
  /** False when the schema holds no history: nothing the migrations made, nothing dropped. */
  readonly hadHistory: boolean;
  readonly views: { name: string; materialized: boolean }[];
  readonly tables: string[];
  /** Functions and procedures, with their argument types: `slugify(text)`. */
  readonly functions: { name: string; kind: "function" | "procedure" }[];
  readonly sequences: string[];
  readonly types: string[];
  /** The engine's own tables (history, snapshots, lock). */
  readonly engineTables: string[];
}

/** Takes the migration lock (the runner supplies it, with its lock options, clock and retry). */
export type TakeLock = () => Promise<HeldLock>;

/** Lists, and unless `dryRun` drops, everything in the engine's schema at `at`. */
export async function teardown(
  client: SqlClient,
  at: EngineSchema,
  engineTables: readonly string[],
  options: {
    dryRun: boolean;
    takeLock: TakeLock;
    /** One transaction (PostgreSQL); statement by statement where DDL in a transaction is not atomic (CockroachDB). */
    inTransaction: boolean;
  },
): Promise<TeardownResult> {
  if (!at.exists) return plan(at, [], null, options.dryRun);
  // Another tool's `schema_migrations` (golang-migrate's, Rails') says nothing of what dbmigrate
  // made: refused as every other command refuses it, and never dropped.
  await assertHistoryTable(client, at);
  if (options.dryRun) return plan(at, engineTables, await present(client, at, engineTables), true);
  const lock = await options.takeLock();
  let result: TeardownResult;
  try {
    // Read under the lock: an `up` that held it before us has finished, and what it made is listed.
    result = plan(at, engineTables, await present(client, at, engineTables), false);
    lock.assertHeld();
    const statements = dropStatements(at, result);
    if (!options.inTransaction) {
      // CockroachDB: DDL in an explicit transaction is not atomic (dialect.ts, runsMigrationInTransaction); the
      // lock table goes last, so an interrupted teardown still holds the lock until its lease ends, and runs again.
      for (const statement of statements) await client.query(statement);
    } else {
      await client.query("BEGIN");
      try {
        for (const statement of statements) await client.query(statement);
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw error;
      }
    }
  } catch (error) {
    await lock.release().catch(() => undefined);
    throw error;
  }
  // The lock table went in the same transaction, and its row with it: the release has nothing to delete.
  await lock.release().catch((error: unknown) => {
    if (sqlStateOf(error) !== UNDEFINED_TABLE) throw error;
  });
  return result;
}

/** One line per kind for the log and the CLI: `dropped 3 tables (a, b, c), 1 view (v), ...`. */
export function teardownSummary(result: TeardownResult): string {
  const verb = result.dryRun ? "would drop" : "dropped";
  if (!result.hadHistory) return `schema ${result.schema} holds no history: nothing the migrations made to drop`;
  const parts = (
    [
      ["table", result.tables],
      ["view", result.views.map((v) => v.name)],
      ["function", result.functions.map((f) => f.name)],
      ["sequence", result.sequences],
      ["type", result.types],
      ["engine table", result.engineTables],
    ] as const
  )
    .filter(([, names]) => names.length > 0)
    .map(([kind, names]) => `${names.length} ${kind}${names.length === 1 ? "" : "s"} (${names.join(", ")})`);
  return `${verb} in schema ${result.schema}: ${parts.join(", ")}`;
}

async function present(client: SqlClient, at: EngineSchema, engineTables: readonly string[]): Promise<SchemaSnapshot> {
  return readSnapshot(client, { schema: at.name, excludeTables: engineTables });
}

function plan(
  at: EngineSchema,
  engineTables: readonly string[],
  snapshot: SchemaSnapshot | null,
  dryRun: boolean,
): TeardownResult {
  return {
    schema: at.name,
    dryRun,
    hadHistory: snapshot !== null,
    views: (snapshot?.views ?? []).map(({ name, materialized }) => ({ name, materialized })),
    tables: (snapshot?.tables ?? []).map((t) => t.name),
    functions: (snapshot?.functions ?? []).map(({ name, kind }) => ({ name, kind })),
    // A sequence a column owns goes with its table.
    sequences: (snapshot?.sequences ?? []).filter((s) => s.ownedBy === null).map((s) => s.name),
    types: (snapshot?.enums ?? []).map((e) => e.name),
    engineTables: snapshot === null ? [] : [...engineTables],
  };
}

/**
 * Dependents before what they depend on, each kind in one statement (PostgreSQL resolves
 * dependencies among the objects one DROP names). No CASCADE: an object outside the schema that
 * depends on one of these stops the teardown (SQLSTATE 2BP01) instead of vanishing with it.
 */
function dropStatements(at: EngineSchema, result: TeardownResult): string[] {
  const q = (name: string) => `${quoteIdent(at.name)}.${quoteIdent(name)}`;
  const fn = (signature: string) => {
    const open = signature.indexOf("(");
    return `${q(signature.slice(0, open))}${signature.slice(open)}`;
  };
  const list = (names: string[], quote: (n: string) => string) => names.map(quote).join(", ");
  const statements: string[] = [];
  const materialized = result.views.filter((v) => v.materialized).map((v) => v.name);
  const plain = result.views.filter((v) => !v.materialized).map((v) => v.name);
  // A materialized view may read a plain one, not the other way round.
  if (materialized.length > 0) statements.push(`DROP MATERIALIZED VIEW ${list(materialized, q)}`);
  if (plain.length > 0) statements.push(`DROP VIEW ${list(plain, q)}`);
  if (result.tables.length > 0) statements.push(`DROP TABLE ${list(result.tables, q)}`);
  // Two statements, not DROP ROUTINE: CockroachDB has DROP FUNCTION and DROP PROCEDURE only.
  for (const kind of ["function", "procedure"] as const) {
    const names = result.functions.filter((f) => f.kind === kind).map((f) => f.name);
    if (names.length > 0) statements.push(`DROP ${kind.toUpperCase()} ${list(names, fn)}`);
  }
  if (result.sequences.length > 0) statements.push(`DROP SEQUENCE ${list(result.sequences, q)}`);
  if (result.types.length > 0) statements.push(`DROP TYPE ${list(result.types, q)}`);
  statements.push(`DROP TABLE IF EXISTS ${list(result.engineTables, q)}`);
  return statements;
}
