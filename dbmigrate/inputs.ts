/**
 * The part of the engine's surface a host needs before it runs anything: checking its settings
 * (DSN, CA certificate, seed, secret names) and listing the migrations by name and checksum. It
 * loads no SQL parser, no linter and no database or Secret Manager client, so the Pulumi program
 * and the provider's `check` and `diff` start fast. Everything here is also exported by index.ts.
 */
export { parseDsn, pemProblem } from "./connection";
export { DEFAULT_MIGRATIONS_DIR } from "./migrations";
export { readMigrationRefs, type MigrationRef } from "./migration-refs";
export { DEFAULT_SEED, seedProblems, type SeedParams } from "./seed";
export { DbMigrateError, errorLine } from "./errors";
export { secretVersionName } from "./secret-manager";
export { Redactor } from "./redact";
