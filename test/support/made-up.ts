/**
 * Made-up migrations served through the engine's FileReader seam, so engine tests never depend on
 * the project's real migrations (adding one never breaks them), and the CockroachDB server's
 * answers taken from CockroachDB's documentation, served through the dialect's ServerQueries seam.
 */
import type { Connect } from "../../dbmigrate/db";
import type { ProductSteps } from "../../dbmigrate/product-steps";
import { auditMigration } from "../../product/audit";
import type { SchemaJob, ServerQueries } from "../../dbmigrate/dialect";
import type { FileReader } from "../../dbmigrate/migrations";
import { Migrator, type MigratorOptions } from "../../dbmigrate/runner";

/** The folder name the in-memory migrations pretend to live in. */
export const MEMORY_DIR = "made-up";

/** A FileReader over `files` (name -> text); `files` may change between runs. */
export function memoryFiles(files: Record<string, string>): FileReader {
  return {
    list: async (dir) => {
      if (dir !== MEMORY_DIR) throw new Error(`no folder ${dir}`);
      return Object.keys(files);
    },
    read: async (file) => {
      const text = files[file.slice(MEMORY_DIR.length + 1)];
      if (text === undefined) throw new Error(`no file ${file}`);
      return text;
    },
  };
}

/** A table-creating statement. */
export const table = (name: string) => `CREATE TABLE ${name} (id UUID PRIMARY KEY DEFAULT gen_random_uuid());`;

/** Two small migrations. */
export const TWO: Record<string, string> = {
  "0001_first.sql": `${table("first_a")}\n${table("first_b")}\n`,
  "0002_second.sql": `${table("second_a")}\n`,
};

/** The audit table as the engine writes it (for tests of the audit step). */
export const AUDIT_TABLE = `CREATE TABLE audit_logs (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    customer_id UUID NULL,
    actor_type TEXT NOT NULL,
    actor_id TEXT NULL,
    action TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id TEXT NULL,
    changes JSONB NOT NULL DEFAULT '{}'::JSONB,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);\n`;

/** A product whose only step is the AGoat audit row per migration (needs an `audit_logs` table, {@link AUDIT_TABLE}). */
export function auditSteps(appliedBy: string): ProductSteps<null, null, never> {
  return {
    name: "audit only (test)",
    tables: ["audit_logs"],
    afterMigration: auditMigration(appliedBy),
    inspect: async () => null,
    changes: () => [],
    resultOf: () => null,
    run: async () => ({ result: null, changes: [] }),
  };
}

/** A Migrator over made-up `files`: no product steps unless `options` ask. */
export function madeUp<S = unknown, R = unknown, C = unknown>(
  connect: Connect,
  files: Record<string, string>,
  options: Partial<MigratorOptions<S, R, C>> = {},
) {
  return new Migrator({
    connect,
    files: memoryFiles(files),
    migrationsDir: MEMORY_DIR,
    ...options,
  });
}

/** The engine paths a test loops over: PostgreSQL's, and CockroachDB's forced on PostgreSQL. */
export const PATHS = ["postgres", "cockroachdb"] as const;

/**
 * A CockroachDB server as its documentation shows it: `SELECT version()` text of a release
 * (docs: "SHOW server_version" / "version()"), server_version_num 130000 (CockroachDB reports
 * PostgreSQL 13), `SHOW CLUSTER SETTING version` as the active cluster version (e.g. `24.3`, or
 * `24.3-upgrading-to-25.1-step-008` while an upgrade is not finalized), and `SHOW JOBS` rows.
 */
export function cockroachServer(
  binary: string,
  clusterVersion: string,
  jobs: SchemaJob[] = [],
): ServerQueries & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    identify: async () => {
      asked.push("identify");
      return {
        version: `CockroachDB CCL ${binary} (x86_64-pc-linux-gnu, built 2025/05/21 12:00:00, go1.23.7 X:nocoverageredesign)`,
        serverVersionNum: "130000",
      };
    },
    clusterVersion: async () => {
      asked.push("clusterVersion");
      return clusterVersion;
    },
    unfinishedSchemaJobs: async () => jobs,
  };
}
