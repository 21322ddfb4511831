/** What the engine's commands report: `status`, and `up` / `apply-complete` (also on a dry run). */
import type { Engine, ServerInfo } from "./dialect";
import type { AppliedMigration } from "./executors/types";
import type { LockHolder } from "./lock";
import type { Plan, PlanEntry } from "./plan";
import type { DefaultTenant, SeedChange, SeedResult } from "./seed";
import type { SchemaDriftReport } from "./snapshot";

/** The default tenant as `status` and `--dry-run` see it, and what the seed step would change. */
export interface SeedStatus {
  customerId: string | null;
  siteId: string | null;
  tenant: DefaultTenant | null;
  /** Empty when the seed step has nothing to do (or is off). */
  changes: SeedChange[];
}

/** What `status` reports. */
export interface StatusReport {
  /** The executor that runs migrations (the detected engine unless forced). */
  engine: Engine;
  serverVersion: string;
  /** The version features are decided from (cluster version on CockroachDB, server_version_num on PostgreSQL). */
  activeVersion: string;
  migrations: PlanEntry[];
  /** Number of pending migrations. */
  pending: number;
  /** Problems that stop `up` or that `verify` reports (changed, missing, dirty, out of order). */
  problems: string[];
  seed: SeedStatus;
  /** Who holds the migration lock right now, if anyone, and whether the lease has expired. */
  lock: LockHolder | null;
  /** The live schema against the snapshot recorded after the last \`up\`: each object that differs. */
  schema: SchemaDriftReport;
}

/** What `up` and `applyComplete` return. */
export interface UpResult {
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
  /** The default tenant's ids; null on a dry run whose schema does not exist yet, or with no seed step. */
  seed: SeedResult | null;
  /** What the seed step changed (or, on a dry run, would change). */
  seedChanges: SeedChange[];
}

/** The result of a migrating command, from the plan after it. */
export function upResult(
  engine: Engine,
  server: ServerInfo,
  dryRun: boolean,
  applied: AppliedMigration[],
  plan: Plan,
  seed: { customerId: string | null; siteId: string | null; domainId?: string } | null,
  seedChanges: SeedChange[],
): UpResult {
  const done = plan.entries.filter((e) => e.state === "applied");
  return {
    engine,
    serverVersion: server.serverVersion,
    dryRun,
    applied,
    pending: plan.entries.filter((e) => e.state === "pending" || (e.state === "dirty" && !e.problem)),
    migrations: plan.entries,
    schemaVersion: Math.max(0, ...done.map((e) => e.version)),
    seed:
      seed?.customerId && seed.siteId
        ? { customerId: seed.customerId, siteId: seed.siteId, ...(seed.domainId ? { domainId: seed.domainId } : {}) }
        : null,
    seedChanges,
  };
}
