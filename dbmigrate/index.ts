/** The migration engine's public surface, for the CLI, the Pulumi provider and other hosts. */
export {
  Migrator,
  type MigratorOptions,
  type UpResult,
  type StatusReport,
  type SeedStatus,
  type AppliedMigration,
} from "./runner";
export type { MigrationExecutor, RunnableMigration, StartPoint } from "./executors/types";
export type { ServerQueries, SchemaJob } from "./dialect";
export {
  createConnect,
  resolveConnection,
  parseDsn,
  pemProblem,
  type ConnectionSource,
  type ResolvedConnection,
} from "./connection";
export { Redactor, redactDsn } from "./redact";
export { loadMigrations, checksumOf, type Migration } from "./migrations";
export { parseSql, SqlSyntaxError, type Statement } from "./sql/parse";
export { lintSources, type LintSource, type LintOptions } from "./lint/lint";
export { lintFiles } from "./lint/files";
export type { Finding, LintReport, Severity } from "./lint/finding";
export { planMigrations, type Plan, type PlanEntry, type MigrationState } from "./plan";
export {
  DEFAULT_SEED,
  validateSeed,
  describeSeedChange,
  type SeedParams,
  type SeedResult,
  type SeedChange,
  type DefaultTenant,
} from "./seed";
export { slugProblem, hostnameProblem, nameProblem } from "./validation";
export { DbMigrateError, MigrationError, SeedError, UsageError, type PartialProgress } from "./errors";
export { secretVersionName, type SecretManagerSettings } from "./secret-manager";
export type { Engine } from "./dialect";
export type { Logger } from "./clock";
