/**
 * The migration engine's one public surface: infra/ (the Pulumi program and provider), scripts/
 * and bench/ import from here, never from a file inside dbmigrate/ (ESLint enforces it).
 */
export { Migrator, type MigratorOptions, type UpResult, type StatusReport, type AppliedMigration } from "./runner";
export type { AfterMigrationStep, MigrationExecutor, RunnableMigration, StartPoint } from "./executors/types";
export { inEngineSchema, tablesCreatedBy, type ProductSteps, type StepDeps } from "./product-steps";
export { HISTORY_TABLE, LOCK_TABLE, quoteIdent, type EngineSchema } from "./engine-schema";
export { RESTORED_SETTINGS } from "./session-state";
export { NO_TRANSACTION_DIRECTIVE, type ExecutionMode } from "./executors/execution-mode";
export { inTransaction, type SqlClient, type Connect } from "./db";
export { withRetry } from "./retry";
export { sqlStateOf } from "./errors";
export { UNDEFINED_TABLE } from "./sqlstate";
export type { ServerQueries, SchemaJob } from "./dialect";
export {
  createConnect,
  resolveConnection,
  pemProblem,
  type ConnectionSource,
  type ResolvedConnection,
} from "./connection";
export { parseDsn, dsnWithDatabase, type Dsn } from "./settings/dsn";
export {
  SECRET_STORES,
  SETTINGS,
  settingEntries,
  TEARDOWNS,
  type SettingName,
  type SettingValues,
} from "./settings/catalog";
export { checkValue } from "./settings/command-line";
export { issueDetails, type Setting } from "./settings/setting";
export { createDatabaseIfMissing, dropDatabaseIfExists, dsnForDatabase } from "./create-database";
export { guardStreams, Redactor, redactDsn } from "./redact";
export { createLogger, createOutput, processSinks, type Output, type Sinks } from "./output";
export { DEFAULT_MIGRATIONS_DIR, loadMigrations, checksumOf, type Migration } from "./migrations";
export { readMigrationRefs, type MigrationRef } from "./migration-refs";
export { parseSql, SqlSyntaxError, type Statement } from "./sql/parse";
export { defaultParseCacheDir, ParseCache, parseSqlOnce } from "./sql/parse-cache";
export { lintSources, type LintSource, type LintOptions } from "./lint/lint";
export { lintErrorLines, lintFiles } from "./lint/files";
export { checkCockroachdbGrammar, type CockroachdbGrammarOptions, type GrammarReport } from "./sql/cockroachdb-grammar";
export { cockroachdbParserBinary, COCKROACHDB_GRAMMARS, runCockroachdbParser } from "./sql/cockroachdb-parser";
export { OLDEST_COCKROACHDB_VERSION, type CockroachdbVersion } from "./sql/cockroachdb-version";
export type { Finding, LintReport, Severity } from "./lint/finding";
export { planMigrations, type Plan, type PlanEntry, type MigrationState } from "./plan";
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
export {
  changeLine,
  diffSnapshots,
  driftLines,
  renderDiffMarkdown,
  readSnapshot,
  renderDiff,
  snapshotHash,
  DIFF_FORMATS,
  type DiffFormat,
  type SchemaChange,
  type SchemaDiff,
  type SchemaSnapshot,
  type SchemaDriftReport,
} from "./snapshot";
export { schemaChange, type SchemaChangeRequest } from "./scratch/schema-change";
export type { FolderDiff, ScratchDatabases } from "./snapshot/folder-diff";
