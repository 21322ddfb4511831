/**
 * The migration engine's one public surface: infra/ (the Pulumi program and provider), scripts/
 * and bench/ import from here, never from a file inside dbmigrate/ (ESLint enforces it).
 */
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
export { createDatabaseIfMissing, dropDatabaseIfExists, dsnForDatabase } from "./create-database";
export { guardStreams, Redactor, redactDsn } from "./redact";
export { createLogger, createOutput, processSinks, type Output, type Sinks } from "./output";
export { DEFAULT_MIGRATIONS_DIR, loadMigrations, checksumOf, type Migration } from "./migrations";
export { readMigrationRefs, type MigrationRef } from "./migration-refs";
export { parseSql, SqlSyntaxError, type Statement } from "./sql/parse";
export { lintSources, type LintSource, type LintOptions } from "./lint/lint";
export { lintErrorLines, lintFiles } from "./lint/files";
export type { Finding, LintReport, Severity } from "./lint/finding";
export { planMigrations, type Plan, type PlanEntry, type MigrationState } from "./plan";
export {
  DEFAULT_SEED,
  seedProblems,
  validateSeed,
  describeSeedChange,
  type SeedParams,
  type SeedResult,
  type SeedChange,
  type DefaultTenant,
} from "./seed";
export { slugProblem, hostnameProblem, nameProblem } from "./validation";
export {
  DbMigrateError,
  errorJson,
  errorLine,
  messageOf,
  MigrationError,
  SeedError,
  toDbMigrateError,
  UsageError,
  type PartialProgress,
} from "./errors";
export { secretManagerSettingsFromEnv, secretVersionName, type SecretManagerSettings } from "./secret-manager";
export type { Engine } from "./dialect";
export type { Logger } from "./clock";
