/**
 * The migration engine's one public surface: infra/ (the Pulumi program and provider), scripts/
 * and bench/ import from here, never from a file inside dbmigrate/ (ESLint enforces it).
 */
// The light surface (settings, DSN, errors, migration list) first, named once in inputs.ts.
export * from "./inputs";
export { Migrator, type MigratorOptions, type UpResult, type StatusReport, type AppliedMigration } from "./runner";
export type { AfterMigrationStep, MigrationExecutor, RunnableMigration, StartPoint } from "./executors/types";
export { inEngineSchema, tablesCreatedBy, type ProductSteps, type StepDeps } from "./product-steps";
export { ENGINE_TABLES, HISTORY_TABLE, LOCK_TABLE, quoteIdent, type EngineSchema } from "./engine-schema";
export { RESTORED_SETTINGS } from "./session-state";
export { NO_TRANSACTION_DIRECTIVE, type ExecutionMode } from "./executors/execution-mode";
export { inTransaction, type Connect } from "./db";
export { withRetry } from "./retry";
export type { ServerQueries, SchemaJob } from "./dialect";
export { createConnect, resolveConnection, type ConnectionSource, type ResolvedConnection } from "./connection";
export { dsnWithDatabase } from "./settings/dsn";
export { checkValue } from "./settings/command-line";
export { createDatabaseIfMissing, dropDatabaseIfExists, dsnForDatabase } from "./create-database";
export { guardStreams, redactDsn } from "./redact";
export { createLogger, createOutput, processSinks, type Output, type Sinks } from "./output";
export { loadMigrations, checksumOf, type Migration } from "./migrations";
export { parseSql, SqlSyntaxError, type Statement } from "./sql/parse";
export { defaultParseCacheDir, ParseCache, parseSqlOnce } from "./sql/parse-cache";
export { lintSources, type LintSource, type LintOptions } from "./lint/lint";
export { lintErrorLines, lintFiles } from "./lint/files";
export { checkCockroachdbGrammar, type CockroachdbGrammarOptions, type GrammarReport } from "./sql/cockroachdb-grammar";
export { cockroachdbParserBinary, COCKROACHDB_GRAMMARS, runCockroachdbParser } from "./sql/cockroachdb-parser";
export { OLDEST_COCKROACHDB_VERSION, type CockroachdbVersion } from "./sql/cockroachdb-version";
export type { Finding, LintReport, Severity } from "./lint/finding";
export { planMigrations, type Plan, type PlanEntry, type MigrationState } from "./plan";
export { errorJson, messageOf, MigrationError, toDbMigrateError, type PartialProgress } from "./errors";
export { secretManagerSettingsFromEnv, type SecretManagerSettings } from "./secret-manager";
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
