/**
 * The snapshot the migrations produced, recorded by the engine after every `up` that applied
 * something (and after `apply-complete`), in its own table beside the history: the hash, the
 * format and the stable JSON as text (not JSONB, which would reorder keys). `verify`, `status`
 * and the Pulumi provider's `read` compare the live catalog with the latest row.
 */
import { createIfMissing, type SqlClient } from "../db";
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

/** Records `snapshot` as what the migrations up to `schemaVersion` produced; keeps the latest {@link KEPT_SNAPSHOTS}. */
export async function recordSnapshot(
  client: SqlClient,
  snapshot: SchemaSnapshot,
  schemaVersion: number,
  table = SNAPSHOT_TABLE,
): Promise<string> {
  await createIfMissing(client, createTable(table));
  const hash = snapshotHash(snapshot);
  await client.query(`INSERT INTO ${table} (schema_version, format, hash, snapshot) VALUES ($1, $2, $3, $4)`, [
    schemaVersion,
    SNAPSHOT_FORMAT,
    hash,
    snapshotJson(snapshot),
  ]);
  await client.query(
    `DELETE FROM ${table} WHERE id NOT IN (SELECT id FROM ${table} ORDER BY recorded_at DESC, id LIMIT ${KEPT_SNAPSHOTS})`,
  );
  return hash;
}

/** The latest recorded snapshot, or null (never recorded, or no table yet). */
export async function readRecordedSnapshot(
  client: SqlClient,
  table = SNAPSHOT_TABLE,
): Promise<RecordedSnapshot | null> {
  try {
    const { rows } = await client.query<{
      hash: string;
      recorded_at: Date;
      schema_version: string | number;
      format: string | number;
      snapshot: string;
    }>(
      `SELECT hash, recorded_at, schema_version, format, snapshot FROM ${table} ORDER BY recorded_at DESC, id LIMIT 1`,
    );
    const row = rows[0];
    if (!row) return null;
    return {
      hash: row.hash,
      recordedAt: new Date(row.recorded_at),
      schemaVersion: Number(row.schema_version),
      snapshot: Number(row.format) === SNAPSHOT_FORMAT ? (JSON.parse(row.snapshot) as SchemaSnapshot) : null,
    };
  } catch (error) {
    if (sqlStateOf(error) === UNDEFINED_TABLE) return null;
    throw error;
  }
}
