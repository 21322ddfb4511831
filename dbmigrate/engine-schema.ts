/**
 * Where the engine's own tables (history, lock, schema snapshots) live: one schema, fixed when the history is
 * created, found afterwards from the catalog, never through the session's `search_path`. A DSN's
 * `options=-c search_path=app,public` or a migration's `SET search_path` therefore cannot make the
 * engine look for (and create) a second history in another schema. Every statement of the engine
 * names its tables schema-qualified (see {@link EngineSchema}).
 */
import type { SqlClient } from "./db";
import { DbMigrateError } from "./errors";
import { SNAPSHOT_TABLE } from "./snapshot/store";

/** The history table's name (in the engine's schema). */
export const HISTORY_TABLE = "schema_migrations";
/** The lock table's name (in the engine's schema). */
export const LOCK_TABLE = "schema_migrations_lock";
/** The engine's own tables: never part of a schema snapshot, nor of the ERD; teardown drops them last. */
export const ENGINE_TABLES: readonly string[] = [HISTORY_TABLE, LOCK_TABLE, SNAPSHOT_TABLE];
/** Used when the session has no current schema at all (an empty or unusable `search_path`). */
export const FALLBACK_ENGINE_SCHEMA = "public";

/** The engine's schema and its tables' qualified names, ready to splice into SQL. */
export interface EngineSchema {
  /** The schema's name as the catalog spells it (`public`). */
  readonly name: string;
  /** `"public".schema_migrations` */
  readonly history: string;
  /** `"public".schema_migrations_lock` */
  readonly lock: string;
  /** `"public".schema_snapshots`: the schema the migrations made, for drift checks. */
  readonly snapshots: string;
  /** Whether the history table exists there yet (false before the first `up`). */
  readonly exists: boolean;
}

/** A double-quoted identifier (PostgreSQL and CockroachDB quote the same way). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The engine's tables in `schema`. */
export function engineSchema(schema: string, exists: boolean): EngineSchema {
  const q = quoteIdent(schema);
  return {
    name: schema,
    history: `${q}.${HISTORY_TABLE}`,
    lock: `${q}.${LOCK_TABLE}`,
    snapshots: `${q}.${SNAPSHOT_TABLE}`,
    exists,
  };
}

/**
 * Finds the history from the catalog, whatever the session's `search_path`: the one schema of the
 * current database holding a `schema_migrations` table. With none yet, the history will be created
 * in `preferred` (when given) or in the session's current schema as the run starts, before any
 * migration could change it. Two histories (left by a dbmigrate before 0.3, which followed
 * `search_path`) are refused in one line: which one is real is for a person to say.
 */
export async function locateEngineSchema(client: SqlClient, preferred?: string): Promise<EngineSchema> {
  const { rows } = await client.query<{ found: string[]; current: string | null }>(LOCATE);
  const found = rows[0]?.found ?? [];
  if (preferred !== undefined) {
    const others = found.filter((s) => s !== preferred);
    if (found.includes(preferred) || others.length === 0) return engineSchema(preferred, found.includes(preferred));
    throw new DbMigrateError(
      `the history is in schema ${others.join(", ")}, not in the schema asked for (${preferred})`,
      { hint: `Leave the history schema unset to use it, or move ${others[0]}.${HISTORY_TABLE} and its lock table` },
    );
  }
  if (found.length === 1) return engineSchema(found[0], true);
  if (found.length > 1) {
    throw new DbMigrateError(
      `two histories: ${found.map((s) => `${s}.${HISTORY_TABLE}`).join(" and ")} (a dbmigrate before 0.3 followed search_path and made the second)`,
      {
        hint: "Compare them, keep the one with the applied migrations and drop the other (DROP TABLE <schema>.schema_migrations); nothing was changed",
      },
    );
  }
  return engineSchema(rows[0]?.current ?? FALLBACK_ENGINE_SCHEMA, false);
}

/**
 * Every schema of the current database holding a history table this role may use, and the
 * session's current schema: one row, one statement, no parameter (so it folds into a batch of
 * reads as it is). pg_catalog rather than information_schema: the same answer for a fraction of
 * the server's work, and CockroachDB shows the current database's tables in its pg_catalog too
 * ("available as schemas preloaded to every database":
 * https://www.cockroachlabs.com/docs/stable/system-catalogs).
 * - Unlike information_schema, pg_catalog lists tables the role has no right to: another service's
 *   history in a database two services share is not this one's, so only a history in a schema the
 *   role may use, that it may read, counts (has_schema_privilege and has_table_privilege, which
 *   CockroachDB has too: https://www.cockroachlabs.com/docs/stable/functions-and-operators).
 * - A temporary table is no history: `pg_temp_N` schemas are left out by their exact prefix (a
 *   LIKE pattern's `_` would also leave out a schema named `pgxtemp`).
 */
const LOCATE = `SELECT current_schema() AS current,
       ARRAY(SELECT n.nspname::TEXT
               FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
              WHERE c.relname = '${HISTORY_TABLE}' AND c.relkind IN ('r', 'p') AND left(n.nspname, 8) <> 'pg_temp_'
                AND has_schema_privilege(n.oid, 'USAGE') AND has_table_privilege(c.oid, 'SELECT')
              ORDER BY 1) AS found`;
