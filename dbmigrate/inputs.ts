/**
 * The part of the engine's surface a host needs before it runs anything: checking its settings
 * (DSN, CA certificate, secret names; a product's seed validators) and listing the migrations by name and checksum. It
 * loads no SQL parser, no linter and no database or Secret Manager client, so the Pulumi program
 * and the provider's `check` and `diff` start fast. Everything here is also exported by index.ts.
 */
export { pemProblem } from "./connection";
export { parseDsn, type Dsn } from "./settings/dsn";
export {
  SECRET_STORES,
  SETTINGS,
  settingEntries,
  TEARDOWNS,
  type SettingName,
  type SettingValues,
} from "./settings/catalog";
export { issueDetails, type Setting } from "./settings/setting";
export { DEFAULT_MIGRATIONS_DIR } from "./migrations";
export { changedProblem } from "./plan";
export { readMigrationRefs, type MigrationRef } from "./migration-refs";
export { DbMigrateError, errorLine, SeedError, sqlStateOf, UsageError } from "./errors";
export { hostnameProblem, nameProblem, slugProblem } from "./validation";
export { UNDEFINED_TABLE } from "./sqlstate";
export type { SqlClient } from "./db";
export { secretVersionName } from "./secret-manager";
export { Redactor } from "./redact";
