/**
 * What the engine's commands report: `status`, and `up` / `apply-complete` (also on a dry run).
 * `S`, `R` and `C` are a product's status, result and change types (product-steps.ts).
 */
import type { Engine, ServerInfo } from "./dialect";
import type { AppliedMigration } from "./executors/types";
import type { LockHolder } from "./lock";
import type { Plan, PlanEntry } from "./plan";
import type { SchemaDriftReport } from "./snapshot";

/** What `status` reports. */
export interface StatusReport<S = unknown, C = unknown> {
  /** The executor that runs migrations (the detected engine unless forced). */
  engine: Engine;
  serverVersion: string;
  /** The version features are decided from (cluster version on CockroachDB, server_version_num on PostgreSQL). */
  activeVersion: string;
  /** The schema of the engine's own tables (history, lock): where they are, or will be created. */
  historySchema: string;
  /** Whether the history exists yet. */
  historyExists: boolean;
  migrations: PlanEntry[];
  /** Migration files with no statement yet (what `dbmigrate new` writes): listed, never applied. */
  drafts: string[];
  /** Number of pending migrations. */
  pending: number;
  /** Problems that stop `up` or that `verify` reports (changed, missing, dirty, out of order). */
  problems: string[];
  /** What the product's steps see (e.g. the default tenant); null without steps or when skipped. */
  seed: S | null;
  /** What the product's steps would change. */
  seedChanges: C[];
  /** Steps this migration folder skips, and why (one line each). */
  skipped: string[];
  /** Who holds the migration lock right now, if anyone, and whether the lease has expired. */
  lock: LockHolder | null;
  /** The live schema against the snapshot recorded after the last \`up\`: each object that differs. */
  schema: SchemaDriftReport;
}

/** What `up` and `applyComplete` return. */
export interface UpResult<R = unknown, C = unknown> {
  engine: Engine;
  serverVersion: string;
  /** True for `--dry-run`: nothing was changed and `applied` is empty. */
  dryRun: boolean;
  /** What ran now, in order. */
  applied: AppliedMigration[];
  /** For a dry run, what would run. */
  pending: PlanEntry[];
  /** Every migration's state after the run (`waiting` ones wait for a server feature). */
  migrations: PlanEntry[];
  /** Highest applied version after the run; 0 for none. */
  schemaVersion: number;
  /** The schema of the engine's own tables. */
  historySchema: string;
  /** What the product's steps left (e.g. the default tenant's ids); null without steps, or before they ever ran. */
  seed: R | null;
  /** What the product's steps changed (or, on a dry run, would change). */
  seedChanges: C[];
  /** Steps this migration folder skips, and why. */
  skipped: string[];
}

/** The result of a migrating command, from the plan after it. */
export function upResult<R, C>(
  engine: Engine,
  server: ServerInfo,
  dryRun: boolean,
  applied: AppliedMigration[],
  plan: Plan,
  seed: R | null,
  seedChanges: C[],
  historySchema: string,
  skipped: string[],
): UpResult<R, C> {
  const done = plan.entries.filter((e) => e.state === "applied");
  return {
    engine,
    serverVersion: server.serverVersion,
    dryRun,
    applied,
    pending: plan.entries.filter((e) => e.state === "pending" || (e.state === "dirty" && !e.problem)),
    migrations: plan.entries,
    schemaVersion: Math.max(0, ...done.map((e) => e.version)),
    historySchema,
    seed,
    seedChanges,
    skipped,
  };
}
