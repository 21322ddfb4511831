/**
 * squawk (the binary npm `squawk-cli` ships as `@squawk-cli/<platform>`, our optional dependency) for PostgreSQL's
 * locking and robustness rules, run on the same normalised text the engine applies and
 * configured for how the engine runs it: on PostgreSQL, one transaction per migration.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";
import { OLDEST_POSTGRES_MAJOR } from "../sql/grammar-versions";

/** The oldest PostgreSQL the project supports: squawk's advice depends on it. */
export const SQUAWK_PG_VERSION = String(OLDEST_POSTGRES_MAJOR);

/**
 * squawk rules turned off, each with why it does not fit our model (docs/adrs/0012). Every other
 * squawk rule runs.
 */
export const SQUAWK_EXCLUDED_RULES: Record<string, string> = {
  "require-statement-timeout": "the engine sets statement_timeout on every connection (--statement-timeout)",
  "require-lock-timeout":
    "the engine sets lock_timeout for every migration (--ddl-lock-timeout, or its `-- dbmigrate:lock-timeout` header) and retries 55P03 with capped backoff, so a migration needs no SET of its own",
  "require-concurrent-index-creation":
    "crdb-index-backfill asks for a backfill plan on both engines (one finding, one waiver); CONCURRENTLY is accepted and makes its file run outside a transaction",
  "require-concurrent-index-deletion": "drop-index covers it on both engines",
  "ban-drop-column": "dbmigrate's drop-column covers it on both engines (one finding, one waiver)",
  "ban-drop-table": "dbmigrate's drop-table covers it on both engines",
  "renaming-column": "dbmigrate's rename covers it on both engines",
  "renaming-table": "dbmigrate's rename covers it on both engines",
  "changing-column-type": "dbmigrate's narrowing-type-change covers it, knowing the old type from earlier migrations",
  "adding-required-field": "dbmigrate's not-null-column-without-default covers it",
  "adding-not-nullable-field": "dbmigrate's set-not-null covers it",
  "transaction-nesting": "dbmigrate's transaction-control covers it, and the engine refuses such a file before it runs",
  "ban-uncommitted-transaction": "as transaction-nesting",
  "prefer-identity":
    "identity columns are sequences, which crdb-sequence flags as a CockroachDB hotspot (UUID keys instead)",
  "adding-serial-primary-key-field": "crdb-sequence covers SERIAL",
};

/**
 * squawk rules also turned off for a file the engine runs outside a transaction (see
 * `Statement.runsOutsideTransaction`), and why.
 */
export const SQUAWK_EXCLUDED_OUTSIDE_TRANSACTION: Record<string, string> = {
  "prefer-robust-stmts":
    "the engine records each statement of such a file as it commits and resumes at the one that failed, so no statement runs twice",
};

/** One squawk finding, positions as squawk gives them (0-based line, 0-based byte column). */
export interface SquawkViolation {
  rule: string;
  line: number;
  column: number;
  message: string;
  help: string | null;
}

/** The platform's squawk binary, or undefined when its optional package is not installed. */
export function squawkBinary(): string | undefined {
  const pkg = `@squawk-cli/${process.platform}-${process.arch}`;
  try {
    const dir = path.dirname(require.resolve(`${pkg}/package.json`));
    const binary = path.join(dir, "bin", process.platform === "win32" ? "squawk.exe" : "squawk");
    return existsSync(binary) ? binary : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs squawk on `text` (reported as `file`); resolves to its findings. `outsideTransaction`: the
 * engine runs the file statement by statement, not in one transaction.
 */
export function runSquawk(
  binary: string,
  file: string,
  text: string,
  outsideTransaction = false,
): Promise<SquawkViolation[]> {
  const args = [
    "--reporter",
    "json",
    ...(outsideTransaction ? [] : ["--assume-in-transaction"]),
    "--pg-version",
    SQUAWK_PG_VERSION,
    "--exclude",
    Object.keys({ ...SQUAWK_EXCLUDED_RULES, ...(outsideTransaction ? SQUAWK_EXCLUDED_OUTSIDE_TRANSACTION : {}) }).join(
      ",",
    ),
    "--stdin-filepath",
    file,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => {
      // squawk exits 1 when it found something; its JSON is on stdout either way.
      try {
        const parsed = JSON.parse(stdout || "[]") as {
          rule_name: string;
          line: number;
          column: number;
          message: string;
          help: string | null;
        }[];
        resolve(
          parsed.map((v) => ({
            rule: v.rule_name,
            line: v.line,
            column: v.column,
            message: clipped(v.message),
            help: v.help,
          })),
        );
      } catch {
        reject(new Error(`squawk exited ${code}: ${(stderr || stdout).trim().split("\n")[0]}`));
      }
    });
    child.stdin.end(text);
  });
}

/** The longest squawk message shown whole: some echo the statement's text (a 1 MB identifier made a 1 MB line). */
export const MAX_SQUAWK_MESSAGE_CHARS = 300;

/** `message`, cut to {@link MAX_SQUAWK_MESSAGE_CHARS} with a note of how much was left out. */
export function clipped(message: string): string {
  if (message.length <= MAX_SQUAWK_MESSAGE_CHARS) return message;
  const left = message.length - MAX_SQUAWK_MESSAGE_CHARS;
  return `${message.slice(0, MAX_SQUAWK_MESSAGE_CHARS)}… (${left} more characters)`;
}
