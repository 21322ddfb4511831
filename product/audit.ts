/**
 * The audit trail of the engine's own changes, as steps the runner calls: one `audit_logs` row per
 * applied migration, written with its history row (on PostgreSQL in the migration's transaction),
 * one per change the seed step makes to the default tenant, and one per person's action on the
 * engine's state (`resolve`, `unlock --force`).
 */
// The engine's modules, not its index (which loads the linter and the parser).
import type { SqlClient } from "../dbmigrate/db";
import { quoteIdent } from "../dbmigrate/engine-schema";
import type { AfterMigrationStep, AppliedMigration } from "../dbmigrate/executors/types";
import type { OperatorActionStep } from "../dbmigrate/product-steps";
import type { SeedAudit } from "./seed";

// Unqualified for the seed (it runs with search_path set to the engine's schema); a migration's
// row names the schema: it is written right after the migration, whatever search_path that left.
const insertInto = (
  table: string,
) => `INSERT INTO ${table} (customer_id, actor_type, actor_id, action, resource_type, resource_id, changes)
VALUES ($1, 'system', $2, $3, $4, $5, $6::JSONB)`;
const INSERT = insertInto("audit_logs");

/** The step that audits each applied migration as `schema.migrate`. */
export function auditMigration(appliedBy: string): AfterMigrationStep {
  return async (client: SqlClient, m: AppliedMigration, at) => {
    const changes = {
      file: m.file,
      version: m.version,
      checksum: m.checksum,
      outcome: m.outcome,
      durationMs: m.durationMs,
      engine: m.engine,
      resumedAt: m.resumedAt,
      mode: m.mode,
    };
    await client.query(insertInto(`${quoteIdent(at.name)}.audit_logs`), [
      null,
      appliedBy,
      "schema.migrate",
      "migration",
      m.file,
      JSON.stringify(changes),
    ]);
  };
}

/** Audits each change of the default tenant as `seed.create` or `seed.update`, in the tenant's own trail. */
export function auditSeed(appliedBy: string): SeedAudit {
  return async (client, customerId, resource, change) => {
    const action = change.what === "create" ? "seed.create" : "seed.update";
    await client.query(INSERT, [customerId, appliedBy, action, resource.type, resource.id, JSON.stringify(change)]);
  };
}

/**
 * The step that audits a person's action on the engine's state: `schema.resolve` (resource: the
 * migration's file) or `schema.unlock` (resource: the lock holder broken), signed by who ran it.
 */
export const auditOperatorAction: OperatorActionStep = async (client, action, at) => {
  const { action: name, by, ...changes } = action;
  const resource = action.action === "resolve" ? ["migration", action.file] : ["migration_lock", action.holder];
  await client.query(insertInto(`${quoteIdent(at.name)}.audit_logs`), [
    null,
    by,
    `schema.${name}`,
    ...resource,
    JSON.stringify(changes),
  ]);
};
