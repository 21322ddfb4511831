/**
 * The AGoat product's steps on the engine: an `audit_logs` row with each applied migration, and
 * the default tenant (customer, site, primary domain) brought to the given parameters after the
 * migrations, with one audit row per change. Registered by the hosts (the CLI and the Pulumi
 * provider); a migration folder without these tables runs without them.
 */
import * as os from "node:os";
// The engine's modules themselves, not its index: the index re-exports the linter and the parser,
// which a command that only reads (status) must not load.
import { inTransaction, type SqlClient } from "../dbmigrate/db";
import type { EngineSchema } from "../dbmigrate/engine-schema";
import type { ProductSteps } from "../dbmigrate/product-steps";
import { withRetry } from "../dbmigrate/retry";
import { Migrator, type MigratorOptions } from "../dbmigrate/runner";
import { auditMigration, auditOperatorAction, auditSeed } from "./audit";
import { refuseHiddenTenant } from "./row-security";
import {
  applySeed,
  checkSeed,
  readDefaultTenant,
  seedChanges,
  validateSeed,
  type DefaultTenant,
  type SeedChange,
  type SeedParams,
  type SeedResult,
} from "./seed";
import { PRODUCT_COLUMNS, PRODUCT_TABLES } from "./tables";

/** The default tenant as `status` and `--dry-run` see it, and what the seed step would change. */
export interface SeedStatus {
  customerId: string | null;
  siteId: string | null;
  tenant: DefaultTenant | null;
  /** Empty when the seed step has nothing to do. */
  changes: SeedChange[];
}

/** The AGoat steps, as the engine runs them. */
export type AgoatSteps = ProductSteps<SeedStatus, SeedResult, SeedChange>;

/**
 * The AGoat steps for a run: `seed` are the default tenant's parameters that were given (those
 * left out keep what the database has); `appliedBy` signs the audit rows.
 */
export function agoatSteps(seed: Partial<SeedParams>, appliedBy: string): AgoatSteps {
  const request = definedOnly(seed);
  validateSeed(request);
  return {
    name: "AGoat (default tenant seed, audit rows)",
    tables: PRODUCT_TABLES,
    columns: PRODUCT_COLUMNS,
    afterMigration: auditMigration(appliedBy),
    onOperatorAction: auditOperatorAction,
    async inspect(client: SqlClient, at: EngineSchema): Promise<SeedStatus> {
      // Both reads at once (they fold into the engine's one round trip). Under row-level security
      // an existing tenant would read as missing (status, --dry-run) and `up` would try to create
      // a second one: the refusal comes first, whatever the tenant read says (row-security.ts).
      const [hidden, tenant] = await Promise.allSettled([
        refuseHiddenTenant(client, at.name),
        readDefaultTenant(client, at.name),
      ]);
      if (hidden.status === "rejected") throw hidden.reason;
      if (tenant.status === "rejected") throw tenant.reason;
      return {
        customerId: tenant.value?.customerLive ? tenant.value.customerId : null,
        siteId: tenant.value?.customerLive && tenant.value.siteLive ? tenant.value.siteId : null,
        tenant: tenant.value,
        changes: seedChanges(tenant.value, request),
      };
    },
    changes: (status) => status.changes,
    resultOf: (status) =>
      status.customerId && status.siteId ? { customerId: status.customerId, siteId: status.siteId } : null,
    async check(client, status) {
      // The seed is checked against the database before any migration runs.
      if (status.tenant) await checkSeed(client, status.tenant, request);
    },
    async run(client, deps) {
      // Again after the migrations: they may have enabled row-level security since inspect read.
      await refuseHiddenTenant(client);
      // Its own transaction: on CockroachDB DDL after a write in one transaction fails (0A000).
      const seeded = await withRetry(
        "seeding the default tenant",
        () => inTransaction(client, () => applySeed(client, request, auditSeed(appliedBy))),
        deps,
      );
      deps.logger.info(
        seeded.changes.length === 0
          ? "default tenant unchanged"
          : `default tenant: ${seeded.changes.length} change(s) written with their audit rows`,
      );
      return seeded;
    },
  };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** A Migrator with the AGoat steps registered (`seed`: the given default tenant's parameters). */
export type AgoatMigrator = Migrator<SeedStatus, SeedResult, SeedChange>;

/** The engine with the AGoat steps: what the CLI and the Pulumi provider run. */
export function agoatMigrator(
  options: Omit<MigratorOptions, "product"> & { seed?: Partial<SeedParams> },
): AgoatMigrator {
  const { seed, ...rest } = options;
  const appliedBy = rest.appliedBy ?? `${os.userInfo().username}@${os.hostname()}`;
  return new Migrator({ ...rest, appliedBy, product: agoatSteps(seed ?? {}, appliedBy) });
}
