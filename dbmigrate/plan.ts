/**
 * The plan: each migration file set against the history. Pure: no I/O, so `status`, `verify`,
 * `up --dry-run` and the Pulumi preview all read the same answer.
 */
import type { StartPoint } from "./executors/types";
import type { HistoryRow } from "./history";
import { pad, statementHashes, type Migration } from "./migrations";

/** A migration's state. */
export type MigrationState = "applied" | "waiting" | "pending" | "changed" | "missing" | "dirty" | "out_of_order";

/** How far a dirty migration got (CockroachDB path). */
export interface DirtyProgress {
  statementsDone: number;
  /** Null for a row written before progress was recorded. */
  statementsTotal: number | null;
  /** 1-based statement that failed or was not started; null when the run was interrupted. */
  failedStatement: number | null;
  failedLine: number | null;
  lastError: string | null;
  outcomeUnknown: boolean;
  /** Lock owner of the run that left it. */
  runner: string | null;
  /** 0-based statement `up` resumes at, or null when a person must look first (then `problem` says what to do). */
  resumeAt: number | null;
}

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
  /** For state `waiting`: the feature it needs that the server lacks, and why. */
  waitingFor?: string;
  /** For state `dirty`. */
  progress?: DirtyProgress;
  /** What stops `up` here, if anything (one line). */
  problem?: string;
}

/** The plan and what stops it. */
export interface Plan {
  entries: PlanEntry[];
  /** What `up` would apply, in order: pending files, and dirty ones it can resume. */
  pending: Migration[];
  /** Where each pending migration starts (absent: from its first statement, no history row). */
  starts: Map<number, StartPoint>;
  /** One line per problem (changed, missing, dirty, out of order); empty when `up` may run. */
  problems: string[];
}

/** Options of {@link planMigrations}. */
export interface PlanOptions {
  /** Apply a new file numbered below the latest applied one instead of refusing. Default false. */
  allowOutOfOrder?: boolean;
  /** Why the server cannot run `migration` yet (a missing feature), or undefined when it can. */
  missingFeature?: (migration: Migration) => string | undefined;
  /** Where migration files live, for `file:line` in messages. */
  migrationsDir?: string;
}

/** Sets `files` against `history` (null: no history table yet). */
export function planMigrations(
  files: readonly Migration[],
  history: readonly HistoryRow[] | null,
  options: PlanOptions = {},
): Plan {
  // A legacy "skipped" row is not done: it waits for its feature like a file never applied.
  const done = (history ?? []).filter((row) => !row.skippedReason);
  const recorded = new Map((history ?? []).map((row) => [row.version, row]));
  const latestApplied = Math.max(0, ...done.map((row) => row.version));
  const entries: PlanEntry[] = [];
  const pending: Migration[] = [];
  const starts = new Map<number, StartPoint>();
  const problems: string[] = [];
  const add = (entry: PlanEntry) => {
    entries.push(entry);
    if (entry.problem) problems.push(entry.problem);
  };
  for (const file of files) {
    const row = recorded.get(file.version);
    recorded.delete(file.version);
    const base = {
      version: file.version,
      name: file.name,
      file: file.file,
      checksum: file.checksum,
      appliedAt: row?.skippedReason ? null : (row?.appliedAt ?? null),
    };
    if (!row || row.skippedReason) {
      const missing = options.missingFeature?.(file);
      // A migration that declares a feature may run after later ones: it waited for the feature.
      const gated = file.requires.length > 0;
      if (missing !== undefined) {
        add({ ...base, state: "waiting", waitingFor: missing });
      } else if (file.version < latestApplied && !options.allowOutOfOrder && !gated) {
        add({
          ...base,
          state: "out_of_order",
          problem: `${file.file} is new but numbered below the latest applied migration ${pad(latestApplied)}: renumber it above ${pad(latestApplied)}, or pass --allow-out-of-order`,
        });
      } else {
        add({ ...base, state: "pending" });
        pending.push(file);
        if (row?.skippedReason) starts.set(file.version, { statement: 0, dirtyRow: false, skippedRow: true });
      }
    } else if (row.dirty) {
      const progress = dirtyProgress(row, file);
      const problem = progress.resumeAt === null ? dirtyProblem(row, file, progress, options) : undefined;
      add({ ...base, state: "dirty", progress, problem });
      if (progress.resumeAt !== null) {
        pending.push(file);
        starts.set(file.version, { statement: progress.resumeAt, dirtyRow: true });
      }
    } else if (row.checksum !== file.checksum) {
      add({
        ...base,
        state: "changed",
        appliedChecksum: row.checksum,
        problem: changedProblem(file.file, row.checksum, file.checksum),
      });
    } else if (row.file !== file.file) {
      add({
        ...base,
        state: "changed",
        problem: `${row.file} was renamed to ${file.file} after it was applied: restore its name (the history records files by name)`,
      });
    } else {
      add({ ...base, state: "applied" });
    }
  }
  for (const row of recorded.values()) {
    if (row.skippedReason) continue; // never applied; its file is gone with it
    add({
      version: row.version,
      name: row.name,
      file: row.file,
      checksum: row.checksum,
      state: "missing",
      appliedAt: row.appliedAt,
      problem: `${row.file} is recorded as applied but its file is gone: restore it from version control (migrations are forward-only)`,
    });
  }
  entries.sort((a, b) => a.version - b.version);
  pending.sort((a, b) => a.version - b.version);
  return { entries, pending, starts, problems };
}

/**
 * The line for an applied migration whose file changed: the one wording of `up`, `verify`,
 * `status` and the Pulumi preview.
 */
export function changedProblem(file: string, appliedChecksum: string, fileChecksum: string): string {
  return `${file} was changed after it was applied (applied checksum ${appliedChecksum}, file now ${fileChecksum}): restore the file as applied and put the change in a new migration (\`dbmigrate new <name>\`)`;
}

/** How far a dirty row got, and whether `up` may resume it without a person. */
function dirtyProgress(row: HistoryRow, file: Migration): DirtyProgress {
  const total = row.statementsTotal;
  let resumeAt: number | null = null;
  if (total !== null && !row.outcomeUnknown) {
    // A definite failure (or a clean stop) at statement k: statements 1..k-1 took effect, k did not.
    if (row.failedStatement !== null) resumeAt = row.failedStatement - 1;
    // Every statement took effect; only the finishing write is missing.
    else if (row.statementsDone >= total) resumeAt = total;
    // A file fixed since: resumable only when the statements that took effect are still the file's.
    if (resumeAt !== null && row.checksum !== file.checksum && firstChangedStatement(row, file, resumeAt) !== null)
      resumeAt = null;
  }
  return {
    statementsDone: row.statementsDone,
    statementsTotal: total,
    failedStatement: row.failedStatement,
    failedLine: row.failedLine,
    lastError: row.lastError,
    outcomeUnknown: row.outcomeUnknown,
    runner: row.runner,
    resumeAt,
  };
}

/**
 * The 0-based index of the first of the `done` statements that took effect whose text differs
 * from the file's now, or null when all are unchanged. Unknown (no recorded hashes): index 0.
 */
function firstChangedStatement(row: HistoryRow, file: Migration, done: number): number | null {
  if (row.statementHashes === null) return 0;
  const now = statementHashes(file.statements.slice(0, done));
  for (let k = 0; k < done; k++) if (now[k] !== row.statementHashes[k]) return k;
  return null;
}

function dirtyProblem(row: HistoryRow, file: Migration, progress: DirtyProgress, options: PlanOptions): string {
  const version = pad(file.version);
  const resolve = `\`dbmigrate resolve ${version} --applied\` if every statement took effect, or \`--rolled-back\` after undoing the ones that did`;
  if (progress.statementsTotal === null) {
    return `${file.file} started at ${row.startedAt.toISOString()} (by ${row.appliedBy}) and did not finish: check which of its statements took effect, then run ${resolve}`;
  }
  const total = progress.statementsTotal;
  if (row.checksum !== file.checksum) {
    const done = row.failedStatement !== null ? row.failedStatement - 1 : progress.statementsDone;
    const changed = firstChangedStatement(row, file, done);
    if (changed !== null && row.statementHashes !== null) {
      const statement = file.statements[changed];
      const where = statement ? ` (line ${statement.line} now)` : " (the file now has fewer statements)";
      return `${file.file} is dirty after ${done} of ${total} statements, and statement ${changed + 1}${where}, which already took effect, has changed since: restore statements 1..${done} as they were applied (fix only the ones after), or undo them and run ${resolve}`;
    }
    return `${file.file} is dirty after ${progress.statementsDone} of ${total} statements and its file has changed since (recorded checksum ${row.checksum}): restore the file as it was, or check the database and run ${resolve}`;
  }
  const k = progress.failedStatement ?? progress.statementsDone + 1;
  const statement = file.statements[k - 1];
  const path = options.migrationsDir ? `${options.migrationsDir}/${file.file}` : file.file;
  const where = `${path}:${progress.failedLine ?? statement?.line ?? 1}`;
  const why = progress.lastError ?? `the run (${row.runner ?? row.appliedBy}) was interrupted while it ran`;
  return `${file.file} is dirty at statement ${k} of ${total} (${where}): ${why}; whether statement ${k} took effect is unknown: check it (on CockroachDB, also its schema-change jobs: SHOW JOBS), then run ${resolve}`;
}
