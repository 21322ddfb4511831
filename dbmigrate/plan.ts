/**
 * The plan: each migration file set against the history. Pure: no I/O, so `status`, `verify`,
 * `up --dry-run` and the Pulumi preview all read the same answer.
 */
import type { HistoryRow } from "./history";
import { pad, type Migration } from "./migrations";

/** A migration's state. */
export type MigrationState = "applied" | "skipped" | "pending" | "changed" | "missing" | "dirty" | "out_of_order";

/** One line of the plan. */
export interface PlanEntry {
  version: number;
  name: string;
  file: string;
  /** The file's checksum; for a missing file, the recorded one. */
  checksum: string;
  state: MigrationState;
  /** When it was applied; null when not (yet). */
  appliedAt: Date | null;
  /** The checksum recorded when it was applied, when it differs from the file's. */
  appliedChecksum?: string;
  /** Why it was skipped, for state `skipped`. */
  skippedReason?: string;
}

/** The plan and what stops it. */
export interface Plan {
  entries: PlanEntry[];
  /** What `up` would apply, in order. */
  pending: Migration[];
  /** One line per problem (changed, missing, dirty, out of order); empty when `up` may run. */
  problems: string[];
}

/** Options of {@link planMigrations}. */
export interface PlanOptions {
  /** Apply a new file numbered below the latest applied one instead of refusing. Default false. */
  allowOutOfOrder?: boolean;
}

/** Sets `files` against `history` (null: no history table yet). */
export function planMigrations(
  files: readonly Migration[],
  history: readonly HistoryRow[] | null,
  options: PlanOptions = {},
): Plan {
  const recorded = new Map((history ?? []).map((row) => [row.version, row]));
  const latestApplied = Math.max(0, ...(history ?? []).map((row) => row.version));
  const entries: PlanEntry[] = [];
  const pending: Migration[] = [];
  const problems: string[] = [];
  for (const file of files) {
    const row = recorded.get(file.version);
    recorded.delete(file.version);
    const base = {
      version: file.version,
      name: file.name,
      file: file.file,
      checksum: file.checksum,
      appliedAt: row?.appliedAt ?? null,
    };
    if (!row) {
      if (file.version < latestApplied && !options.allowOutOfOrder) {
        entries.push({ ...base, state: "out_of_order" });
        problems.push(
          `${file.file} is new but numbered below the latest applied migration ${pad(latestApplied)}: renumber it above ${pad(latestApplied)}, or pass --allow-out-of-order`,
        );
      } else {
        entries.push({ ...base, state: "pending" });
        pending.push(file);
      }
    } else if (row.dirty) {
      entries.push({ ...base, state: "dirty" });
      problems.push(
        `${file.file} started at ${row.startedAt.toISOString()} (by ${row.appliedBy}) and did not finish: check which of its statements took effect, then run \`dbmigrate resolve ${pad(file.version)} --applied\` if all did, or \`--rolled-back\` after undoing them`,
      );
    } else if (row.checksum !== file.checksum) {
      entries.push({ ...base, state: "changed", appliedChecksum: row.checksum });
      problems.push(
        `${file.file} was changed after it was applied (applied checksum ${row.checksum}, file now ${file.checksum}): restore the file as applied and put the change in a new migration (\`dbmigrate new <name>\`)`,
      );
    } else if (row.skippedReason) {
      entries.push({ ...base, state: "skipped", skippedReason: row.skippedReason });
    } else {
      entries.push({ ...base, state: "applied" });
    }
  }
  for (const row of recorded.values()) {
    entries.push({
      version: row.version,
      name: row.name,
      file: row.file,
      checksum: row.checksum,
      state: "missing",
      appliedAt: row.appliedAt,
    });
    problems.push(
      `${row.file} is recorded as applied but its file is gone: restore it from version control (migrations are forward-only)`,
    );
  }
  entries.sort((a, b) => a.version - b.version);
  return { entries, pending, problems };
}
