/**
 * The snapshot the migrations produced, recorded by the engine after every `up` that applied
 * something (and after `apply-complete`), in its own table beside the history: the hash, the
 * format and the stable JSON as text (not JSONB, which would reorder keys). `verify`, `status`
 * and the Pulumi provider's `read` compare the live catalog with the latest row.
 */
import { createIfMissing, type QueryResult, type SqlClient } from "../db";
import { sqlStateOf } from "../errors";
import { UNDEFINED_TABLE } from "../sqlstate";
import { snapshotHash, snapshotJson, SNAPSHOT_FORMAT, type SchemaSnapshot } from "./model";

/** The table's name (in the engine's schema). */
export const SNAPSHOT_TABLE = "schema_snapshots";

/** How many recorded snapshots are kept: the latest is the one compared; older ones help a person see when drift began. */
export const KEPT_SNAPSHOTS = 20;

/** A recorded snapshot. */
export interface RecordedSnapshot {
  hash: string;
  recordedAt: Date;
  /** The highest applied migration version when it was taken. */
  schemaVersion: number;
  /** Null when it was recorded in another format (re-recorded by the next `up`). */
  snapshot: SchemaSnapshot | null;
}

const createTable = (table: string) => `CREATE TABLE IF NOT EXISTS ${table} (
    id UUID NOT NULL DEFAULT gen_random_uuid(),
    recorded_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    schema_version INT8 NOT NULL,
    format INT8 NOT NULL,
    hash TEXT NOT NULL,
    snapshot TEXT NOT NULL,
    CONSTRAINT ${SNAPSHOT_TABLE}_pkey PRIMARY KEY (id)
)`;

/**
 * Records `snapshot` as what the migrations up to `schemaVersion` produced; keeps the latest
 * {@link KEPT_SNAPSHOTS}. One round trip while fewer are kept, two once the oldest must go (the
 * insert, then the prune), three the first time (the insert fails, the table is created, the insert again).
 */
export async function recordSnapshot(
  client: SqlClient,
  snapshot: SchemaSnapshot,
  schemaVersion: number,
  table = SNAPSHOT_TABLE,
): Promise<string> {
  const hash = snapshotHash(snapshot);
  const values = [schemaVersion, SNAPSHOT_FORMAT, hash, snapshotJson(snapshot)];
  // The insert also counts the rows, so that the prune is sent only when it can delete something.
  // PostgreSQL counts those before the insert (one snapshot for the whole statement); were a
  // server to count the new row too, the prune would merely run once early. The engine records
  // under the migration lock, one record at a time, so the count is not stale. Insert and prune stay
  // two statements: CockroachDB refuses two modifications of one table in one statement
  // (https://www.cockroachlabs.com/docs/v23.2/known-limitations#statements-containing-multiple-modification-subqueries-of-the-same-table-are-disallowed)
  // and runs a data-modifying CTE as PostgreSQL does
  // (https://www.cockroachlabs.com/docs/v23.2/common-table-expressions#data-modifying-statements).
  const insert = () =>
    client.query<{ earlier: string | number }>(
      `WITH added AS (INSERT INTO ${table} (schema_version, format, hash, snapshot) VALUES ($1, $2, $3, $4) RETURNING id)
SELECT (SELECT count(*) FROM ${table}) AS earlier FROM added`,
      values,
    );
  let inserted: QueryResult<{ earlier: string | number }>;
  try {
    inserted = await insert();
  } catch (error) {
    // The table is made once, by the first record: trying the insert first saves a round trip on every later one.
    if (sqlStateOf(error) !== UNDEFINED_TABLE) throw error;
    await createIfMissing(client, createTable(table));
    inserted = await insert();
  }
  if (Number(inserted.rows[0].earlier) >= KEPT_SNAPSHOTS) {
    await client.query(
      `DELETE FROM ${table} WHERE id NOT IN (SELECT id FROM ${table} ORDER BY recorded_at DESC, id LIMIT ${KEPT_SNAPSHOTS})`,
    );
  }
  return hash;
}

/** The latest recorded row of `table` (shared with drift's statement, which reads it with the catalog). */
export function latestSnapshotQuery(table: string): string {
  return `SELECT hash, recorded_at, schema_version, format, snapshot FROM ${table} ORDER BY recorded_at DESC, id LIMIT 1`;
}

/** The columns of {@link latestSnapshotQuery}'s row as node-postgres returns them. */
export interface RecordedRow {
  hash: string;
  recorded_at: Date;
  schema_version: string | number;
  format: string | number;
  snapshot: string;
}

/** A recorded row as a {@link RecordedSnapshot}: the snapshot parsed only when it is in today's format. */
export function recordedFromRow(row: RecordedRow): RecordedSnapshot {
  return {
    hash: row.hash,
    recordedAt: new Date(row.recorded_at),
    schemaVersion: Number(row.schema_version),
    snapshot: Number(row.format) === SNAPSHOT_FORMAT ? (JSON.parse(row.snapshot) as SchemaSnapshot) : null,
  };
}

/** The latest recorded snapshot, or null (never recorded, or no table yet). */
export async function readRecordedSnapshot(
  client: SqlClient,
  table = SNAPSHOT_TABLE,
): Promise<RecordedSnapshot | null> {
  try {
    const { rows } = await client.query<RecordedRow>(latestSnapshotQuery(table));
    return rows[0] ? recordedFromRow(rows[0]) : null;
  } catch (error) {
    if (sqlStateOf(error) === UNDEFINED_TABLE) return null;
    throw error;
  }
}
