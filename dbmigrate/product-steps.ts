/**
 * What a product adds to the engine's runs, as hooks (umzug's `beforeMigrate`/`afterMigrate`,
 * kysely's plugins): a step written with each migration's history row (an audit trail), and a
 * step after the migrations (seed data), with what `status` and `--dry-run` show of it. The
 * engine knows no product's tables: a product names the tables its steps need, and when the
 * migration folder creates none of them (someone else's schema), its steps are skipped, said once
 * and shown by `status`.
 */
import type { Logger } from "./clock";
import type { SqlClient } from "./db";
import { quoteIdent, type EngineSchema } from "./engine-schema";
import type { AfterMigrationStep } from "./executors/types";
import type { Migration } from "./migrations";
import type { RetryDeps } from "./retry";
import { tableColumns } from "./table-columns";

/** What the steps run with: the engine's connection, schema, clock and retry policy. */
export interface StepDeps extends RetryDeps {
  logger: Logger;
}

/**
 * A product's steps. `Status` is what it sees in the database, `Result` what a run leaves (ids),
 * `Change` one change it makes (each described for people by {@link ProductSteps.describe}).
 * Every method but `inspect` runs with `search_path` set to the engine's schema for its
 * transaction, so the product's SQL may name its tables unqualified.
 */
export interface ProductSteps<Status = unknown, Result = unknown, Change = unknown> {
  /** Its name in messages, e.g. "AGoat (default tenant seed, audit rows)". */
  readonly name: string;
  /** Tables the steps need; the steps run only when the migrations create every one of them. */
  readonly tables: readonly string[];
  /**
   * Columns the steps read or write, per table: where those tables exist in the engine's schema
   * without them (another project's `customers`), the steps are skipped, said once.
   */
  readonly columns?: Readonly<Record<string, readonly string[]>>;
  /** Written with each migration's history row (same transaction where the engine has one). */
  readonly afterMigration?: AfterMigrationStep;
  /**
   * Written with a person's action on the engine's own state (`resolve`, `unlock --force`), in the
   * transaction of that write: it is recorded exactly when the action takes effect. Not called
   * for a dry run, nor where the steps' tables are not in the engine's schema as they need them.
   */
  readonly onOperatorAction?: OperatorActionStep;
  /**
   * What the steps see now, in the engine's schema `at` (read-only; the tables may not exist
   * yet). Unlike the other methods it runs with the session's own `search_path`, beside the
   * engine's reads and folded with them into one round trip: it names its tables qualified by
   * `at.name`, and issues its queries at once rather than one after another where it can.
   */
  inspect(client: SqlClient, at: EngineSchema): Promise<Status>;
  /** What a run would change, from what `inspect` saw. */
  changes(status: Status): Change[];
  /** The result a dry run reports, from what `inspect` saw (null when there is none yet). */
  resultOf(status: Status): Result | null;
  /** Before any migration runs: refuses a run the steps could not finish. */
  check?(client: SqlClient, status: Status): Promise<void>;
  /** After the migrations: brings the data to what was asked, in its own transaction. */
  run(client: SqlClient, deps: StepDeps): Promise<{ result: Result; changes: Change[] }>;
}

/** A person's action on the engine's own state, as a product's audit step sees it. */
export type OperatorAction =
  | { action: "resolve"; version: number; file: string; outcome: "applied" | "rolled-back"; by: string }
  | { action: "unlock"; holder: string; command: string | null; by: string };

/** A product's step for an {@link OperatorAction}, run on the engine's connection inside the action's transaction. */
export type OperatorActionStep = (client: SqlClient, action: OperatorAction, at: EngineSchema) => Promise<void>;

/** Why a product's steps are skipped for this migration folder, or undefined when they run. */
export function skipReason(
  steps: Pick<ProductSteps, "name" | "tables">,
  files: readonly Migration[],
): string | undefined {
  const created = tablesCreatedBy(files);
  const missing = steps.tables.filter((t) => !created.has(t));
  if (missing.length === 0) return undefined;
  return `${steps.name}: skipped, the migrations create no table ${missing.join(", ")}`;
}

/**
 * Whether the engine's schema holds the steps' tables with their columns, read from the catalog:
 * `absent` tables are not there (yet: a fresh database before its migrations), `wrong` ones lack
 * columns the steps need. One query.
 */
export async function stepsShape(
  client: SqlClient,
  at: EngineSchema,
  steps: Pick<ProductSteps, "tables" | "columns">,
): Promise<{ absent: string[]; wrong: string[] }> {
  const have = await tableColumns(client, at.name, steps.tables);
  const absent = steps.tables.filter((t) => !have.has(t));
  const wrong = steps.tables.flatMap((t) => {
    const missing = (steps.columns?.[t] ?? []).filter((c) => have.has(t) && !have.get(t)!.has(c));
    return missing.length === 0 ? [] : [`${at.name}.${t} has no column ${missing.join(", ")}`];
  });
  return { absent, wrong };
}

/**
 * What `steps` see in the engine's schema: `wrong` lists its tables there that lack columns the
 * steps need (they are skipped then, and `status` is null); otherwise `status` is what
 * `inspect` read. Both reads start at once. Reads only.
 */
export async function readSteps<S>(
  client: SqlClient,
  at: EngineSchema,
  steps: Pick<ProductSteps<S>, "tables" | "columns" | "inspect">,
): Promise<{ wrong: string[]; status: S | null }> {
  // Settled, not failed fast: on a table of that name with other columns the read fails, and
  // only the shape counts then.
  const [shape, status] = await Promise.allSettled([stepsShape(client, at, steps), steps.inspect(client, at)]);
  if (shape.status === "rejected") throw shape.reason;
  if (shape.value.wrong.length > 0) return { wrong: shape.value.wrong, status: null };
  if (status.status === "rejected") throw status.reason;
  return { wrong: [], status: status.value };
}

/** The (unqualified) names of the tables the files' `CREATE TABLE` statements make. */
export function tablesCreatedBy(files: readonly Migration[]): Set<string> {
  const names = new Set<string>();
  for (const file of files) {
    for (const statement of file.statements) {
      const relation = statement.tree.relation as { relname?: string } | undefined;
      if (statement.kind === "CreateStmt" && relation?.relname) names.add(relation.relname);
    }
  }
  return names;
}

/**
 * Runs `work` with `search_path` set to the engine's schema, then puts the session's back (also
 * when `work` fails). Session-level rather than `SET LOCAL`: a read that fails on a missing table
 * must not abort a transaction the next read needs.
 */
export async function inEngineSchema<T>(client: SqlClient, at: EngineSchema, work: () => Promise<T>): Promise<T> {
  const { rows } = await client.query<{ previous: string }>(
    `SELECT current_setting('search_path') AS previous, set_config('search_path', $1, false)`,
    [quoteIdent(at.name)],
  );
  try {
    return await work();
  } finally {
    await client.query(`SELECT set_config('search_path', $1, false)`, [rows[0].previous]).catch(() => undefined);
  }
}
