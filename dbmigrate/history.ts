/**
 * `schema_migrations`: what has been applied, when, by whom, how long it took, and a dirty
 * marker for a migration that started and did not finish (CockroachDB path).
 */
import type { SqlClient } from "./db";
import { DbMigrateError, messageOf, sqlStateOf } from "./errors";

/** The history table's name. */
export const HISTORY_TABLE = "schema_migrations";

const CREATE_HISTORY = `CREATE TABLE IF NOT EXISTS ${HISTORY_TABLE} (
    id UUID NOT NULL DEFAULT gen_random_uuid(),
    version INT8 NOT NULL,
    name TEXT NOT NULL,
    file TEXT NOT NULL,
    checksum TEXT NOT NULL,
    started_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_at TIMESTAMPTZ NULL,
    execution_ms INT8 NULL,
    applied_by TEXT NOT NULL,
    dirty BOOLEAN NOT NULL DEFAULT false,
    baseline BOOLEAN NOT NULL DEFAULT false,
    skipped_reason TEXT NULL,
    CONSTRAINT schema_migrations_pkey PRIMARY KEY (id),
    CONSTRAINT schema_migrations_version_key UNIQUE (version)
)`;

/** One row of the history. */
export interface HistoryRow {
  version: number;
  name: string;
  file: string;
  checksum: string;
  startedAt: Date;
  /** When it finished; null while dirty. */
  appliedAt: Date | null;
  executionMs: number | null;
  appliedBy: string;
  /** Started and not finished. */
  dirty: boolean;
  /** Recorded by `apply-complete` rather than applied one by one. */
  baseline: boolean;
  /** Set when the server lacked a feature the migration requires and it was skipped. */
  skippedReason: string | null;
}

interface RawRow {
  version: string;
  name: string;
  file: string;
  checksum: string;
  started_at: Date;
  applied_at: Date | null;
  execution_ms: string | null;
  applied_by: string;
  dirty: boolean;
  baseline: boolean;
  skipped_reason: string | null;
}

/** Creates the history table when missing. Safe when two runners do it at once. */
export async function ensureHistoryTable(client: SqlClient): Promise<void> {
  await createIfMissing(client, CREATE_HISTORY);
}

/**
 * `CREATE TABLE IF NOT EXISTS` can still fail on PostgreSQL when another session creates the
 * same table at the same moment (23505 on pg_type, or 42P07); the table then exists, which is
 * all we wanted.
 */
export async function createIfMissing(client: SqlClient, ddl: string): Promise<void> {
  try {
    await client.query(ddl);
  } catch (error) {
    const state = sqlStateOf(error);
    if (state !== "23505" && state !== "42P07") throw error;
  }
}

/** The history ordered by version, or `null` when the table does not exist yet. One query. */
export async function readHistory(client: SqlClient): Promise<HistoryRow[] | null> {
  try {
    const { rows } = await client.query<RawRow>(
      `SELECT version, name, file, checksum, started_at, applied_at, execution_ms, applied_by, dirty, baseline, skipped_reason
         FROM ${HISTORY_TABLE} ORDER BY version`,
    );
    return rows.map((r) => ({
      version: Number(r.version),
      name: r.name,
      file: r.file,
      checksum: r.checksum,
      startedAt: r.started_at,
      appliedAt: r.applied_at,
      executionMs: r.execution_ms === null ? null : Number(r.execution_ms),
      appliedBy: r.applied_by,
      dirty: r.dirty,
      baseline: r.baseline,
      skippedReason: r.skipped_reason,
    }));
  } catch (error) {
    const state = sqlStateOf(error);
    if (state === "42P01") return null; // undefined_table: a database never migrated
    if (state === "42703") {
      // undefined_column: a table of this name that another tool made (golang-migrate, Rails...).
      throw new DbMigrateError(
        `the table ${HISTORY_TABLE} exists but is not dbmigrate's history (${messageOf(error)})`,
        {
          sqlState: state,
          hint: `Another migration tool's table? Give dbmigrate a database of its own, or rename that table; nothing was changed`,
          cause: error,
        },
      );
    }
    throw error;
  }
}

/** What is written for one migration. */
export interface HistoryEntry {
  version: number;
  name: string;
  file: string;
  checksum: string;
  appliedBy: string;
  baseline?: boolean;
  skippedReason?: string | null;
}

/** Records a finished migration (PostgreSQL path: inside the migration's own transaction). */
export async function recordApplied(client: SqlClient, entry: HistoryEntry, executionMs: number): Promise<void> {
  await client.query(
    `INSERT INTO ${HISTORY_TABLE} (version, name, file, checksum, applied_at, execution_ms, applied_by, dirty, baseline, skipped_reason)
     VALUES ($1, $2, $3, $4, now(), $5, $6, false, $7, $8)`,
    [
      entry.version,
      entry.name,
      entry.file,
      entry.checksum,
      executionMs,
      entry.appliedBy,
      entry.baseline ?? false,
      entry.skippedReason ?? null,
    ],
  );
}

/** Marks a migration as started and not finished (CockroachDB path, before its first statement). */
export async function recordStarted(client: SqlClient, entry: HistoryEntry): Promise<void> {
  await client.query(
    `INSERT INTO ${HISTORY_TABLE} (version, name, file, checksum, applied_by, dirty, baseline)
     VALUES ($1, $2, $3, $4, $5, true, $6)`,
    [entry.version, entry.name, entry.file, entry.checksum, entry.appliedBy, entry.baseline ?? false],
  );
}

/** Marks a dirty migration finished (CockroachDB path, after its last statement; or `resolve --applied`). */
export async function recordFinished(client: SqlClient, version: number, executionMs: number | null): Promise<number> {
  const result = await client.query(
    `UPDATE ${HISTORY_TABLE} SET dirty = false, applied_at = now(), execution_ms = COALESCE($2, execution_ms)
      WHERE version = $1 AND dirty`,
    [version, executionMs],
  );
  return result.rowCount ?? 0;
}

/** Forgets a dirty migration so the next `up` runs it again (`resolve --rolled-back`). */
export async function forgetDirty(client: SqlClient, version: number): Promise<number> {
  const result = await client.query(`DELETE FROM ${HISTORY_TABLE} WHERE version = $1 AND dirty`, [version]);
  return result.rowCount ?? 0;
}
