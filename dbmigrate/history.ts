/**
 * `schema_migrations`: what has been applied, when, by whom, how long it took; for a migration in
 * flight on the CockroachDB path, its progress statement by statement (like Atlas's revisions):
 * how many statements took effect, which one failed with what (redacted) error, and whether that
 * outcome is known (docs/adrs/0009-resumable-migrations.md).
 */
import { createIfMissing, type SqlClient } from "./db";
import { HISTORY_TABLE, type EngineSchema } from "./engine-schema";
import { DbMigrateError, sqlStateOf } from "./errors";
import { leaseIsLive, type HeldLock } from "./lock";
import { UNDEFINED_COLUMN, UNDEFINED_TABLE } from "./sqlstate";
import { tableColumns } from "./table-columns";

export { HISTORY_TABLE };

const createHistory = (at: EngineSchema) => `CREATE TABLE IF NOT EXISTS ${at.history} (
    id UUID NOT NULL DEFAULT gen_random_uuid(),
    version INT8 NOT NULL,
    name TEXT NOT NULL,
    file TEXT NOT NULL,
    checksum TEXT NOT NULL,
    started_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_at TIMESTAMPTZ NULL,
    execution_ms INT8 NULL,
    applied_by TEXT NOT NULL,
    dirty BOOLEAN NOT NULL DEFAULT false,
    baseline BOOLEAN NOT NULL DEFAULT false,
    skipped_reason TEXT NULL,
    statements_total INT8 NULL,
    statements_done INT8 NOT NULL DEFAULT 0,
    failed_statement INT8 NULL,
    failed_line INT8 NULL,
    last_error TEXT NULL,
    outcome_unknown BOOLEAN NOT NULL DEFAULT false,
    runner TEXT NULL,
    statement_hashes TEXT NULL,
    CONSTRAINT schema_migrations_pkey PRIMARY KEY (id),
    CONSTRAINT schema_migrations_version_key UNIQUE (version)
)`;

/** Creates the history table when missing, and adds the progress columns to an older one. Safe when two runners do it at once. */
export async function ensureHistoryTable(client: SqlClient, at: EngineSchema): Promise<void> {
  await createIfMissing(client, createHistory(at));
  // A table made by an older dbmigrate lacks the progress columns: add them, one statement each
  // (on CockroachDB each is a schema change of its own).
  // Never alter a table of this name that another tool made.
  const have = await assertHistoryTable(client, at);
  for (const [column, type] of PROGRESS_COLUMNS) {
    if (!have.has(column)) await client.query(`ALTER TABLE ${at.history} ADD COLUMN IF NOT EXISTS ${column} ${type}`);
  }
}

/**
 * Refuses, in one line, a `schema_migrations` in `at` that another tool made (it lacks the
 * columns every dbmigrate history has); returns the columns it has.
 */
export async function assertHistoryTable(client: SqlClient, at: EngineSchema): Promise<Set<string>> {
  const have = (await tableColumns(client, at.name, [HISTORY_TABLE])).get(HISTORY_TABLE) ?? new Set<string>();
  const missing = CORE_COLUMNS.filter((column) => !have.has(column));
  if (missing.length > 0) throw foreignHistoryTable(at, `no column ${missing.join(", ")}`);
  return have;
}

/** Columns every dbmigrate version's history table has: without them the table is someone else's. */
const CORE_COLUMNS = ["version", "name", "file", "checksum", "dirty"];

/** A `schema_migrations` that another tool (golang-migrate, Rails, ...) made. */
function foreignHistoryTable(at: EngineSchema, detail: string): DbMigrateError {
  return new DbMigrateError(`the table ${at.name}.${HISTORY_TABLE} exists but is not dbmigrate's history (${detail})`, {
    sqlState: UNDEFINED_COLUMN,
    hint: "Another migration tool's table? Give dbmigrate a database of its own, or rename that table; nothing was changed",
  });
}

const PROGRESS_COLUMNS: [string, string][] = [
  ["statements_total", "INT8 NULL"],
  ["statements_done", "INT8 NOT NULL DEFAULT 0"],
  ["failed_statement", "INT8 NULL"],
  ["failed_line", "INT8 NULL"],
  ["last_error", "TEXT NULL"],
  ["outcome_unknown", "BOOLEAN NOT NULL DEFAULT false"],
  ["runner", "TEXT NULL"],
  ["statement_hashes", "TEXT NULL"],
];

/** One row of the history. */
export interface HistoryRow {
  version: number;
  name: string;
  file: string;
  checksum: string;
  startedAt: Date;
  /** When it finished; null while dirty. */
  appliedAt: Date | null;
  executionMs: number | null;
  appliedBy: string;
  /** Started and not finished. */
  dirty: boolean;
  /** Recorded by `apply-complete` rather than applied one by one. */
  baseline: boolean;
  /** Written by dbmigrate before 0.2 for a migration whose feature the server lacked; such a row is not done. */
  skippedReason: string | null;
  /** Statements in the migration (CockroachDB path); null for rows written before progress was recorded. */
  statementsTotal: number | null;
  /** How many statements, from the first, took effect. */
  statementsDone: number;
  /** 1-based number of the statement that failed or was not started, when the runner knew. */
  failedStatement: number | null;
  /** Its line in the file. */
  failedLine: number | null;
  /** The (redacted) error or reason. */
  lastError: string | null;
  /** Whether the failed statement may have taken effect after all (40003, a lost connection, ...). */
  outcomeUnknown: boolean;
  /** The lock owner of the run that wrote it. */
  runner: string | null;
  /**
   * Each statement's hash as recorded when the run started (statement-by-statement paths), so a
   * resume can tell whether the statements that already took effect are still the file's; null
   * for rows written before they were recorded.
   */
  statementHashes: string[] | null;
}

type RawRow = Record<string, unknown>;

/** The history ordered by version, or `null` when the table does not exist yet. One query. */
export async function readHistory(client: SqlClient, at: EngineSchema): Promise<HistoryRow[] | null> {
  // Located from the catalog: a history that does not exist is not looked for elsewhere.
  if (!at.exists) return null;
  try {
    // `*`: a table made by an older dbmigrate has fewer columns until the next `up` adds them.
    // The core columns named too: a table without them (another tool's) fails with 42703 here.
    const { rows } = await client.query<RawRow>(
      `SELECT ${CORE_COLUMNS.join(", ")}, * FROM ${at.history} ORDER BY version`,
    );
    return rows.map(toRow);
  } catch (error) {
    const state = sqlStateOf(error);
    if (state === UNDEFINED_TABLE) return null; // a database never migrated
    if (state === UNDEFINED_COLUMN) throw foreignHistoryTable(at, (error as Error).message);
    throw error;
  }
}

function toRow(r: RawRow): HistoryRow {
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    version: Number(r.version),
    name: String(r.name),
    file: String(r.file),
    checksum: String(r.checksum),
    startedAt: r.started_at as Date,
    appliedAt: (r.applied_at as Date | null) ?? null,
    executionMs: num(r.execution_ms),
    appliedBy: String(r.applied_by),
    dirty: Boolean(r.dirty),
    baseline: Boolean(r.baseline),
    skippedReason: (r.skipped_reason as string | null) ?? null,
    statementsTotal: num(r.statements_total),
    statementsDone: num(r.statements_done) ?? 0,
    failedStatement: num(r.failed_statement),
    failedLine: num(r.failed_line),
    lastError: (r.last_error as string | null) ?? null,
    outcomeUnknown: Boolean(r.outcome_unknown),
    runner: (r.runner as string | null) ?? null,
    statementHashes: typeof r.statement_hashes === "string" ? r.statement_hashes.split(",") : null,
  };
}

/** What is written for one migration. */
export interface HistoryEntry {
  version: number;
  name: string;
  file: string;
  checksum: string;
  appliedBy: string;
  baseline?: boolean;
  /** Each statement's hash (see {@link HistoryRow.statementHashes}). */
  statementHashes?: readonly string[];
  /**
   * A legacy "skipped" row is recorded for its version (the plan saw it, under the lock): the
   * write replaces it. Unset: there is none, and no DELETE is sent for it.
   */
  replacesSkippedRow?: boolean;
}

/** The history writes that must only happen while `lock`'s lease is live: a fenced INSERT. */
function fencedInsert(at: EngineSchema, columns: string, values: string, ownerParam: number, lockRow: boolean): string {
  return `INSERT INTO ${at.history} (${columns}) SELECT ${values} WHERE ${leaseIsLive(at, ownerParam, lockRow)}`;
}

/** A legacy "skipped" row (before migrations waited for their feature) gives way to the real one. */
async function dropLegacySkippedRow(client: SqlClient, at: EngineSchema, version: number): Promise<void> {
  await client.query(`DELETE FROM ${at.history} WHERE version = $1 AND skipped_reason IS NOT NULL`, [version]);
}

/**
 * Records a finished migration (PostgreSQL path: inside the migration's own transaction, holding
 * the lock row so no one can take the lease over before it commits). Replaces a legacy
 * "skipped" row. Returns false when the lease was not live: nothing may be recorded then.
 */
export async function recordApplied(
  client: SqlClient,
  entry: HistoryEntry,
  executionMs: number,
  lock: HeldLock,
): Promise<boolean> {
  if (entry.replacesSkippedRow) await dropLegacySkippedRow(client, lock.schema, entry.version);
  const result = await client.query(
    fencedInsert(
      lock.schema,
      "version, name, file, checksum, applied_at, execution_ms, applied_by, dirty, baseline, runner",
      "$1, $2, $3, $4, now(), $5, $6, false, $7, $8",
      8,
      true,
    ),
    [
      entry.version,
      entry.name,
      entry.file,
      entry.checksum,
      executionMs,
      entry.appliedBy,
      entry.baseline ?? false,
      lock.owner,
    ],
  );
  return (result.rowCount ?? 0) > 0;
}

/**
 * Marks a migration started, with its statement count (CockroachDB path, before its first
 * statement); replaces a legacy "skipped" row. False when the lease was not live.
 */
export async function recordStarted(
  client: SqlClient,
  entry: HistoryEntry,
  statementsTotal: number,
  lock: HeldLock,
): Promise<boolean> {
  if (entry.replacesSkippedRow) await dropLegacySkippedRow(client, lock.schema, entry.version);
  const result = await client.query(
    fencedInsert(
      lock.schema,
      "version, name, file, checksum, applied_by, dirty, baseline, statements_total, statements_done, runner, statement_hashes",
      "$1, $2, $3, $4, $5, true, $6, $7, 0, $8, $9",
      8,
      false,
    ),
    [
      entry.version,
      entry.name,
      entry.file,
      entry.checksum,
      entry.appliedBy,
      entry.baseline ?? false,
      statementsTotal,
      lock.owner,
      entry.statementHashes?.join(",") ?? null,
    ],
  );
  return (result.rowCount ?? 0) > 0;
}

/**
 * Takes over a dirty row to resume it: this run is now its runner, and the row records the file as
 * it is now (its checksum and statement hashes: the plan checked that the statements that took
 * effect are unchanged). False when the lease was not live.
 */
export async function claimDirty(
  client: SqlClient,
  entry: Pick<HistoryEntry, "version" | "checksum" | "statementHashes">,
  statementsTotal: number,
  lock: HeldLock,
): Promise<boolean> {
  const result = await client.query(
    `UPDATE ${lock.schema.history} SET runner = $2, statements_total = $3, failed_statement = NULL, failed_line = NULL,
            last_error = NULL, outcome_unknown = false, checksum = $4, statement_hashes = $5
      WHERE version = $1 AND dirty AND ${leaseIsLive(lock.schema, 2, false)}`,
    [entry.version, lock.owner, statementsTotal, entry.checksum, entry.statementHashes?.join(",") ?? null],
  );
  return (result.rowCount ?? 0) > 0;
}

/**
 * Records that the first `done` statements took effect (only while this run is the row's runner:
 * a runner that took the row over owns its progress). Returns whether the lease is still live, read
 * in the same statement: after `dbmigrate unlock --force`, or a lapsed lease, the progress is still
 * recorded (it is true, and nobody else has claimed the row) but the run must stop there.
 */
export async function recordProgress(
  client: SqlClient,
  lock: HeldLock,
  version: number,
  done: number,
): Promise<boolean> {
  const { rows } = await client.query<{ live: boolean }>(
    `UPDATE ${lock.schema.history} SET statements_done = $3
      WHERE version = $1 AND dirty AND runner = $2
      RETURNING ${leaseIsLive(lock.schema, 2, false)} AS live`,
    [version, lock.owner, done],
  );
  return rows.length > 0 && rows[0].live === true;
}

/** What stopped a migration at one statement. */
export interface StatementFailure {
  /** 1-based. */
  statement: number;
  line: number;
  /** Redacted. */
  error: string;
  /** The statement may have taken effect. */
  outcomeUnknown: boolean;
}

/** Records why the run stopped (only while this run is the row's runner: a stale runner writes nothing). */
export async function recordFailure(
  client: SqlClient,
  lock: HeldLock,
  version: number,
  failure: StatementFailure,
): Promise<void> {
  await client.query(
    `UPDATE ${lock.schema.history} SET failed_statement = $3, failed_line = $4, last_error = $5, outcome_unknown = $6
      WHERE version = $1 AND dirty AND runner = $2`,
    [version, lock.owner, failure.statement, failure.line, failure.error.slice(0, 2000), failure.outcomeUnknown],
  );
}

/**
 * Marks a dirty migration finished: after its last statement (CockroachDB path, fenced by `lock`),
 * or by `resolve --applied`; `checksum`, when given, replaces the recorded one (the file as it is
 * now, after a fix). Returns the rows changed (0: not dirty, or the lease was not live).
 */
export async function recordFinished(
  client: SqlClient,
  version: number,
  executionMs: number | null,
  lock: HeldLock,
  checksum?: string,
): Promise<number> {
  const result = await client.query(
    `UPDATE ${lock.schema.history} SET dirty = false, applied_at = now(), execution_ms = COALESCE($2, execution_ms),
            failed_statement = NULL, failed_line = NULL, last_error = NULL, outcome_unknown = false,
            statements_done = COALESCE(statements_total, statements_done), checksum = COALESCE($4, checksum)
      WHERE version = $1 AND dirty AND ${leaseIsLive(lock.schema, 3, false)}`,
    [version, executionMs, lock.owner, checksum ?? null],
  );
  return result.rowCount ?? 0;
}

/** Forgets a dirty migration so the next `up` runs it from its first statement (`resolve --rolled-back`). */
export async function forgetDirty(client: SqlClient, at: EngineSchema, version: number): Promise<number> {
  const result = await client.query(`DELETE FROM ${at.history} WHERE version = $1 AND dirty`, [version]);
  return result.rowCount ?? 0;
}
