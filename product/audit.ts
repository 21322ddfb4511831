/**
 * The audit trail of the engine's own changes, as steps the runner calls: one `audit_logs` row per
 * applied migration, written with its history row (on PostgreSQL in the migration's transaction),
 * and one per change the seed step makes to the default tenant.
 */
// The engine's modules, not its index (which loads the linter and the parser).
import type { SqlClient } from "../dbmigrate/db";
import { quoteIdent } from "../dbmigrate/engine-schema";
import type { AfterMigrationStep, AppliedMigration } from "../dbmigrate/executors/types";
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

/** An audit row for one of the engine's own actions (`schema.resolve`, `schema.unlock`, `schema.drop`). */
export function auditAction(appliedBy: string) {
  return async (client: SqlClient, action: string, resource: string, changes: object): Promise<void> => {
    await client.query(INSERT, [null, appliedBy, action, "schema", resource, JSON.stringify(changes)]);
  };
}
