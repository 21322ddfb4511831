/**
 * The seed step of a run: after the migrations, in its own transaction (on CockroachDB DDL after a
 * write in one transaction fails: 0A000), and what `status` and `--dry-run` say it would change.
 */
import { auditSeed } from "./audit";
import type { Logger } from "./clock";
import { inTransaction, type SqlClient } from "./db";
import type { SeedStatus } from "./reports";
import { withRetry, type RetryDeps } from "./retry";
import { applySeed, readDefaultTenant, seedChanges, type SeedChange, type SeedParams, type SeedResult } from "./seed";

/** The default tenant as it is, and what `request` would change (nothing when the step is off). */
export async function seedStatus(client: SqlClient, request: Partial<SeedParams> | false): Promise<SeedStatus> {
  const tenant = await readDefaultTenant(client);
  return {
    customerId: tenant?.customerLive ? tenant.customerId : null,
    siteId: tenant?.customerLive && tenant.siteLive ? tenant.siteId : null,
    tenant,
    changes: request === false ? [] : seedChanges(tenant, request),
  };
}

/** Brings the default tenant to `request`, with one audit row per change; null when the step is off. */
export async function runSeedStep(
  client: SqlClient,
  request: Partial<SeedParams> | false,
  appliedBy: string,
  deps: RetryDeps & { logger: Logger },
): Promise<{ result: SeedResult; changes: SeedChange[] } | null> {
  if (request === false) return null;
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
}
