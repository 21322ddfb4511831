/**
 * Drift object by object: the live catalog compared with the snapshot recorded after the last
 * `up`. Every change is something done to the database outside the migrations (by hand, by
 * another tool): a column added, an index dropped, a policy disabled, a default changed.
 */
import type { SqlClient } from "../db";
import { changeDetails } from "./describe";
import { diffSnapshots, type SchemaChange } from "./diff";
import { snapshotHash } from "./model";
import { readSnapshot } from "./read";
import { readRecordedSnapshot } from "./store";

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

/** Compares the live catalog (without `engineTables`) with the latest recorded snapshot. Reads only. */
export async function schemaDrift(
  client: SqlClient,
  options: { engineTables: readonly string[]; snapshotTable?: string },
): Promise<SchemaDriftReport> {
  const recorded = await readRecordedSnapshot(client, options.snapshotTable);
  const live = await readSnapshot(client, {
    schema: recorded?.snapshot?.schema,
    excludeTables: options.engineTables,
  });
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
