/**
 * The defaults of the settings that the engine's own modules also fall back to, in a module that
 * loads nothing: the settings catalog (help, checks) and the engine read the same constants.
 */

/** Folder of the migration files, relative to the working directory. */
export const DEFAULT_MIGRATIONS_DIR = "migrations";
/** The complete schema file, relative to the working directory. */
export const DEFAULT_COMPLETE_SCHEMA_FILE = "schema/complete-schema.sql";
/** Time allowed to open a connection (TCP, TLS and authentication), ms. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** Time allowed to one statement, ms: generous, since an index build on a large table is one statement. */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 15 * 60_000;
/**
 * The lock_timeout every migration runs under, ms: a few seconds, so that DDL waiting for its table
 * lock never queues the table's readers and writers for longer (it retries instead).
 */
export const DEFAULT_DDL_LOCK_TIMEOUT_MS = 3_000;
