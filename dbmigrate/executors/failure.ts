/** How both executors describe a statement that failed: file, line (of the server's error position), SQLSTATE, what now. */
import { DbMigrateError, LockError, messageOf, MigrationError, sqlStateOf, StoppedError } from "../errors";
import type { Statement } from "../sql/parse";
// Not from sql/parse: the executors must not load the parser for a line number.
import { lineOfPosition } from "../sql/source-text";
import type { ExecutionMode } from "./execution-mode";
import type { AppliedMigration, ExecutionContext, RunnableMigration } from "./types";

/** The error for `statement` of `migration` failing with `error`; `consequence` says what state it left. */
export function statementError(
  error: unknown,
  migration: RunnableMigration,
  statement: Statement,
  consequence: string,
): DbMigrateError {
  if (error instanceof DbMigrateError) return error;
  const line = errorLine(error, statement);
  const where = migration.baseline ? `section ${migration.file}, line ${line} of the section` : `line ${line}`;
  return new MigrationError(`migration ${migration.file} failed at ${where}: ${messageOf(error)}`, {
    file: migration.location,
    line: migration.baseline ? undefined : line,
    sqlState: sqlStateOf(error),
    cause: error,
    hint: `${consequence[0].toUpperCase()}${consequence.slice(1)}`,
  });
}

/** The line of the server's error position inside the statement, or the statement's first line. */
export function errorLine(error: unknown, statement: Statement): number {
  // The server counts characters in the statement's text; the parser's statement knows its lines.
  return lineOfPosition(statement, Number((error as { position?: string }).position));
}

/**
 * Checks, before statement `index`, that no signal asked the run to stop and that the lease is
 * held; the error names the statement the run stopped before.
 */
export function fenceBefore(context: ExecutionContext, migration: RunnableMigration, index: number): void {
  const signal = context.stopRequested?.();
  if (signal) {
    throw new StoppedError(
      signal,
      `stopped on ${signal}: ${migration.file} stopped before statement ${index + 1} of ${migration.statements.length}`,
      { file: migration.location, line: migration.statements[index].line },
    );
  }
  try {
    context.lock.assertHeld();
  } catch (error) {
    if (!(error instanceof LockError)) throw error;
    const statement = migration.statements[index];
    throw new LockError(
      `${migration.file}: stopped before statement ${index + 1} of ${migration.statements.length}: ${error.message}`,
      { file: migration.baseline ? migration.location : migration.location, line: statement.line, hint: error.hint },
    );
  }
}

/** The error for a fenced history write that found the lease gone. */
export function leaseGone(migration: RunnableMigration): LockError {
  return new LockError(`${migration.file}: the migration lock's lease was not live when recording it`, {
    file: migration.location,
    hint: "Nothing more was recorded by this run; run `dbmigrate status`, then `dbmigrate up` again",
  });
}

/** What an executor reports for a migration it finished: the same shape from both engines. */
export function appliedRecord(
  migration: RunnableMigration,
  durationMs: number,
  resumedAt: number,
  engine: AppliedMigration["engine"],
  mode: ExecutionMode,
): AppliedMigration {
  const { version, name, file, checksum } = migration;
  return { version, name, file, checksum, durationMs, outcome: "applied", resumedAt, engine, mode };
}
