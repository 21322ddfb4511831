/**
 * Drift object by object: the live catalog compared with the snapshot recorded after the last
 * `up`. Every change is something done to the database outside the migrations (by hand, by
 * another tool): a column added, an index dropped, a policy disabled, a default changed.
 */
import type { SqlClient } from "../db";
import { sqlStateOf } from "../errors";
import { UNDEFINED_TABLE } from "../sqlstate";
import { changeDetails } from "./describe";
import { diffSnapshots, type SchemaChange } from "./diff";
import { snapshotHash, SNAPSHOT_FORMAT, type SchemaSnapshot } from "./model";
import { readSnapshot, snapshotFromRow, snapshotStatement } from "./read";
import { latestSnapshotQuery, recordedFromRow, SNAPSHOT_TABLE, type RecordedRow, type RecordedSnapshot } from "./store";

/** What `verify`, `status` and the provider's `read` report about the schema. */
export interface SchemaDriftReport {
  /** The recorded snapshot's hash; null when none was recorded yet (or in an older format). */
  recordedHash: string | null;
  recordedAt: string | null;
  /** The live catalog's hash. */
  liveHash: string;
  /** From the recorded schema to the live one; empty when in sync or nothing was recorded. */
  changes: SchemaChange[];
}

/**
 * The recorded snapshot and the live catalog in one statement. The live schema is the one the
 * recorded snapshot was taken of (else the session's current schema), taken from the recorded JSON
 * by the server: the two reads need not wait for each other. CockroachDB has the JSONB operators
 * and casts used (https://www.cockroachlabs.com/docs/v23.2/jsonb).
 */
function driftStatement(snapshotTable: string): string {
  return snapshotStatement(
    `COALESCE((SELECT CASE WHEN r.format = ${SNAPSHOT_FORMAT} THEN r.snapshot::jsonb ->> 'schema' END FROM recorded r), current_schema())`,
    {
      with: `recorded AS (${latestSnapshotQuery(snapshotTable)})`,
      columns: "recorded.hash, recorded.recorded_at, recorded.schema_version, recorded.format, recorded.snapshot",
      join: "LEFT JOIN recorded ON true",
    },
  );
}

/**
 * Compares the live catalog (without `engineTables`) with the latest recorded snapshot. Reads
 * only, in one round trip; two before the first `up` (no snapshot table yet: the live catalog alone).
 */
export async function schemaDrift(
  client: SqlClient,
  options: { engineTables: readonly string[]; snapshotTable?: string },
): Promise<SchemaDriftReport> {
  let recorded: RecordedSnapshot | null;
  let live: SchemaSnapshot;
  try {
    const { rows } = await client.query<Record<string, unknown>>(
      driftStatement(options.snapshotTable ?? SNAPSHOT_TABLE),
    );
    const row = rows[0];
    // hash is NOT NULL: null here is the outer join finding no recorded row.
    recorded = row.hash === null ? null : recordedFromRow(row as unknown as RecordedRow);
    live = snapshotFromRow(row, { schema: recorded?.snapshot?.schema, excludeTables: options.engineTables });
  } catch (error) {
    if (sqlStateOf(error) !== UNDEFINED_TABLE) throw error;
    recorded = null;
    live = await readSnapshot(client, { excludeTables: options.engineTables });
  }
  const liveHash = snapshotHash(live);
  if (!recorded?.snapshot) {
    return { recordedHash: null, recordedAt: recorded?.recordedAt.toISOString() ?? null, liveHash, changes: [] };
  }
  return {
    recordedHash: recorded.hash,
    recordedAt: recorded.recordedAt.toISOString(),
    liveHash,
    changes: liveHash === recorded.hash ? [] : diffSnapshots(recorded.snapshot, live).changes,
  };
}

const DRIFT_VERBS = {
  added: "exists in the database but the migrations did not make it",
  dropped: "was made by the migrations but is gone from the database",
  altered: "differs from what the migrations made",
} as const;

/** One line per drifted object: `schema drift: column posts.tags exists in the database but ...: text[]`. */
export function driftLines(changes: readonly SchemaChange[]): string[] {
  return changes.map((c) => {
    const details = changeDetails(c);
    return `schema drift: ${c.kind} ${c.object} ${DRIFT_VERBS[c.change]}${details ? ` (${details})` : ""}`;
  });
}
