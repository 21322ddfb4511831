/**
 * Migration files: discovery, names, checksums and header directives.
 * Files are `NNNN_name.sql` in one folder, forward-only, ordered by number.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { DbMigrateError, UsageError } from "./errors";
import type { ParsedSql, Statement } from "./sql/parse";

/** The folder, relative to the project root, that holds the migration files. */
export { DEFAULT_MIGRATIONS_DIR } from "./settings/defaults";

/** `0001_complete_schema.sql`: four digits, an underscore, a lower-case snake_case name. */
export const MIGRATION_FILE_PATTERN = /^(\d{4})_([a-z0-9]+(?:_[a-z0-9]+)*)\.sql$/;

/**
 * Features a migration may declare with `-- dbmigrate:requires <feature>`. `cockroachdb` makes a
 * CockroachDB-only migration: PostgreSQL's grammar never reads it (docs/adrs/0013).
 */
export type Feature = "row_level_security" | "cockroachdb";
const FEATURES: readonly Feature[] = ["row_level_security", "cockroachdb"];

/** One migration, read and checksummed. */
export interface Migration {
  /** The number in the file name. */
  version: number;
  /** The name part of the file name (`complete_schema`). */
  name: string;
  /** The file name (`0001_complete_schema.sql`). */
  file: string;
  /** sha256 of the file with a leading byte-order mark dropped and line endings normalised to `\n`, hex. */
  checksum: string;
  /** The file text, normalised (see {@link normaliseSql}). */
  sql: string;
  /** Its statements, in order. */
  statements: Statement[];
  /** Server features it needs; without them it is recorded as skipped. */
  requires: Feature[];
  /**
   * Its `-- dbmigrate:lock-timeout <duration>` header, ms: how long each of its statements may
   * wait for a table lock before giving up and retrying. Undefined: the run's setting.
   */
  lockTimeoutMs?: number;
  /**
   * A statement PostgreSQL refuses in a transaction block (`CREATE INDEX CONCURRENTLY`, ...; see
   * `Statement.runsOutsideTransaction`): the file runs outside a transaction, statement by statement.
   */
  runsOutsideTransaction: boolean;
}

/** The file I/O the engine needs, injected so tests and other hosts can supply it. */
export interface FileReader {
  /** Names of the entries of a folder. */
  list(dir: string): Promise<string[]>;
  /** A file's text as UTF-8. */
  read(file: string): Promise<string>;
}

/**
 * Reads from the local file system: regular files only, and only valid UTF-8 (see {@link decodeUtf8}).
 * Synchronous underneath (behind the async interface): a migration file is small and read once,
 * and each asynchronous call costs a hop through libuv's thread pool (six files: 1.3 ms async,
 * a tenth of that sync, on the loaded 2-core machine here), which a no-op run pays in full.
 */
export const nodeFileReader: FileReader = {
  list: async (dir) => fs.readdirSync(dir),
  read: async (file) => decodeUtf8(readRegularFile(file), file),
};

/**
 * A file's bytes. Opened without blocking, so a FIFO (or a device) named like a migration is
 * refused instead of waiting forever for a writer.
 */
function readRegularFile(file: string): Buffer {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  try {
    const stat = fs.fstatSync(fd);
    if (stat.isDirectory()) throw Object.assign(new Error(`EISDIR: ${file}`), { code: "EISDIR", path: file });
    if (!stat.isFile()) {
      const kind = stat.isFIFO() ? "a FIFO (named pipe)" : stat.isSocket() ? "a socket" : "a device";
      throw new UsageError(`'${path.basename(file)}' is ${kind}, not a regular file: dbmigrate reads only files`, {
        file,
        hint: "Move or rename it: every NNNN_name.sql entry must be a regular file",
      });
    }
    return fs.readFileSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The text of `bytes`, which must be valid UTF-8: a migration is stored and checksummed as it is,
 * so bytes that would be replaced by U+FFFD are refused, naming the first bad byte's offset.
 */
export function decodeUtf8(bytes: Buffer, file: string): string {
  const text = bytes.toString("utf8");
  if (!text.includes("\uFFFD") || Buffer.from(text, "utf8").equals(bytes)) return text;
  // The first byte where decoding and re-encoding disagree is where the invalid sequence starts.
  const again = Buffer.from(text, "utf8");
  let offset = 0;
  while (offset < bytes.length && bytes[offset] === again[offset]) offset++;
  const shown = bytes
    .subarray(offset, offset + 4)
    .toString("hex")
    .replace(/(..)/g, "$1 ")
    .trim();
  throw new UsageError(
    `'${path.basename(file)}' is not valid UTF-8: bad byte sequence at byte offset ${offset} (${shown})`,
    {
      file,
      hint: "Save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`); nothing was applied",
    },
  );
}

/**
 * The text every reader sees: a UTF-8 byte-order mark dropped and line endings normalised, so a
 * file saved by a Windows editor checksums the same, and a BOM never hides a `-- dbmigrate:`
 * directive on line 1. A file with neither keeps its bytes, and so its checksum.
 */
export function normaliseSql(text: string): string {
  return text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
}

/**
 * Each statement's hash (the first 16 hex digits of the sha256 of its text as sent): recorded
 * when a statement-by-statement run starts, so a resume after a fix can tell whether the
 * statements that already took effect are still the file's.
 */
export function statementHashes(statements: readonly Pick<Statement, "sql">[]): string[] {
  return statements.map((s) => createHash("sha256").update(s.sql, "utf8").digest("hex").slice(0, 16));
}

/** sha256 of the normalised text, hex. */
export function checksumOf(text: string): string {
  return createHash("sha256").update(normaliseSql(text), "utf8").digest("hex");
}

/**
 * Builds a migration from its file name and text; `where` names it in errors; `parsed`: the text's
 * parse when the caller has it already. The text is parsed with PostgreSQL's grammar: a syntax
 * error, or transaction control the engine owns, is refused here, before any database I/O.
 */
export async function parseMigration(file: string, text: string, where = file, parsed?: ParsedSql): Promise<Migration> {
  const match = MIGRATION_FILE_PATTERN.exec(file);
  if (!match) {
    throw new UsageError(`migration file '${file}' has a bad name`, {
      file: where,
      hint: "Name it NNNN_lower_snake_name.sql (four digits, e.g. 0003_add_post_tags.sql), or create it with `dbmigrate new <name>`",
    });
  }
  const sql = normaliseSql(text);
  const { statements, runsOutsideTransaction } = parsed ?? (await readStatements(sql, where));
  if (statements.length === 0) {
    throw new UsageError(`migration file '${file}' has no SQL statement`, {
      file: where,
      hint: "Add at least one statement, or delete the file if it was created by mistake",
    });
  }
  const { transactionControlOf } = sqlModules().transactionControl;
  for (const statement of statements) {
    const control = transactionControlOf(statement);
    if (control) {
      throw new UsageError(`migration file '${file}' contains transaction control (${control})`, {
        file: where,
        line: statement.line,
        column: statement.column,
        hint: "Remove it: dbmigrate runs each migration in its own transaction on PostgreSQL and statement by statement on CockroachDB. Nothing was applied",
      });
    }
  }
  return {
    version: Number(match[1]),
    name: match[2],
    file,
    checksum: checksumOf(sql),
    sql,
    statements,
    requires: parseRequires(statements, where),
    runsOutsideTransaction,
    lockTimeoutMs: parseLockTimeout(statements, where),
  };
}

/** The `-- dbmigrate:lock-timeout` directive's form: a whole number with `ms`, `s` or `min`. */
const LOCK_TIMEOUT_DIRECTIVE = /^--\s*dbmigrate:lock-timeout\b\s*(.*?)\s*$/;

/** Bounds of a migration's lock timeout, ms: 0 would wait for ever, over 10 minutes is an outage. */
export const LOCK_TIMEOUT_BOUNDS = { min: 1, max: 600_000 } as const;

/** Parses `10s`, `500ms`, `2min` (bounded by {@link LOCK_TIMEOUT_BOUNDS}); undefined when it is not a duration. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d{1,9})\s*(ms|s|min)$/.exec(text.trim());
  if (!match) return undefined;
  const ms = Number(match[1]) * { ms: 1, s: 1000, min: 60_000 }[match[2] as "ms" | "s" | "min"];
  return ms >= LOCK_TIMEOUT_BOUNDS.min && ms <= LOCK_TIMEOUT_BOUNDS.max ? ms : undefined;
}

function parseLockTimeout(statements: Statement[], where: string): number | undefined {
  let found: number | undefined;
  for (const comment of statements.flatMap((s) => s.comments)) {
    const match = LOCK_TIMEOUT_DIRECTIVE.exec(comment.text);
    if (!match) continue;
    const ms = parseDuration(match[1]);
    if (ms === undefined) {
      throw new UsageError(`bad dbmigrate:lock-timeout '${match[1]}'`, {
        file: where,
        hint: `Give a duration from ${LOCK_TIMEOUT_BOUNDS.min} ms to ${LOCK_TIMEOUT_BOUNDS.max / 60_000} min, e.g. \`-- dbmigrate:lock-timeout 10s\``,
      });
    }
    found = ms;
  }
  return found;
}

/**
 * A migration's statements: PostgreSQL's parser reads it, unless it is headed
 * `-- dbmigrate:requires cockroachdb` (only CockroachDB's grammar may accept it; cut at `;`).
 * Either comes from the parse cache when this text was read before, without libpg-query.
 */
function readStatements(sql: string, where: string): Promise<ParsedSql> {
  const { cockroachdbOnly, parseCache } = sqlModules();
  return cockroachdbOnly.isCockroachdbOnly(sql)
    ? parseCache.splitCockroachdbOnlyOnce(sql, where)
    : parseCache.parseSqlOnce(sql, where);
}

/**
 * The SQL modules, required on first use: listing files and checksums (migration-refs.ts, the
 * Pulumi program) never needs them. None loads libpg-query itself: the parse cache requires the
 * parser on a miss only, so a run whose files all come from the cache never loads it (the
 * transaction-control and CockroachDB-only checks here read the cached statements). `require`,
 * not `import()`: the provider loads this file through tsx's CommonJS hook only.
 */
function sqlModules() {
  return {
    parseCache: require("./sql/parse-cache") as typeof import("./sql/parse-cache.js"),
    cockroachdbOnly: require("./sql/cockroachdb-only") as typeof import("./sql/cockroachdb-only.js"),
    transactionControl: require("./sql/transaction-control") as typeof import("./sql/transaction-control.js"),
  };
}

function parseRequires(statements: Statement[], where: string): Feature[] {
  const found: Feature[] = [];
  const comments = statements.flatMap((s) => s.comments.map((c) => c.text));
  for (const m of comments.flatMap((c) => [...c.matchAll(/^--\s*dbmigrate:requires\s+(\S+)\s*$/g)])) {
    const feature = m[1] as Feature;
    if (!FEATURES.includes(feature)) {
      throw new UsageError(`unknown feature '${m[1]}' in a dbmigrate:requires directive`, {
        file: where,
        hint: `Use one of: ${FEATURES.join(", ")}`,
      });
    }
    found.push(feature);
  }
  return found;
}

/** A migration file with no statement yet (what `dbmigrate new` writes): listed, never applied. */
export interface DraftMigration {
  version: number;
  file: string;
}

/** The warning for a draft: `status` says it for each, and so does every migrating run. */
export function draftLine(file: string): string {
  return `${file} has no statement yet: it is not applied until it has one`;
}

/** Every migration file of a folder: the ones to apply, and the drafts not written yet. */
export interface MigrationFolder {
  migrations: Migration[];
  drafts: DraftMigration[];
}

/**
 * Reads every `*.sql` file of `dir`, ordered by version. A `.sql` file with a bad name, an
 * upper-case `.SQL` name, a directory or a broken link named like a migration, or two files with
 * one version, is an error naming the file; a file with no statement yet is a draft, left out of
 * the migrations (so a fresh `dbmigrate new` breaks nothing); other files are ignored.
 */
export async function loadMigrationFolder(dir: string, reader: FileReader = nodeFileReader): Promise<MigrationFolder> {
  let entries: string[];
  try {
    entries = await reader.list(dir);
  } catch (error) {
    throw new UsageError(`cannot read the migrations folder '${dir}'`, {
      cause: error,
      hint: "Run from the project root or pass --migrations-dir",
    });
  }
  const upperCase = entries.find((e) => /\.sql$/i.test(e) && !e.endsWith(".sql"));
  if (upperCase) {
    throw new UsageError(`migration file '${upperCase}' ends in '${upperCase.slice(-4)}', not '.sql'`, {
      file: path.join(dir, upperCase),
      hint: `Rename it to '${upperCase.slice(0, -4)}.sql' (dbmigrate reads only lower-case .sql files)`,
    });
  }
  const migrations: Migration[] = [];
  const drafts: DraftMigration[] = [];
  for (const file of entries.filter((e) => e.endsWith(".sql")).sort()) {
    const where = path.join(dir, file);
    const text = await readMigrationFile(reader, file, where);
    const match = MIGRATION_FILE_PATTERN.exec(file);
    // Read once: the draft check and the migration share the parse.
    const parsed = match ? await readStatements(normaliseSql(text), where) : undefined;
    if (match && parsed?.statements.length === 0) drafts.push({ version: Number(match[1]), file });
    else migrations.push(await parseMigration(file, text, where, parsed));
  }
  const all = [...migrations, ...drafts].sort((a, b) => a.version - b.version || a.file.localeCompare(b.file));
  for (let k = 1; k < all.length; k++) {
    if (all[k].version === all[k - 1].version) {
      throw new UsageError(
        `two migration files share version ${pad(all[k].version)}: '${all[k - 1].file}' and '${all[k].file}'`,
        {
          file: path.join(dir, all[k].file),
          hint: "Renumber one of them (`dbmigrate new` picks the next free number)",
        },
      );
    }
  }
  migrations.sort((a, b) => a.version - b.version);
  return { migrations, drafts };
}

/** The migrations of `dir` to apply, ordered by version (drafts left out; see {@link loadMigrationFolder}). */
export async function loadMigrations(dir: string, reader: FileReader = nodeFileReader): Promise<Migration[]> {
  return (await loadMigrationFolder(dir, reader)).migrations;
}

/** The highest version number a file name can carry. */
export const MAX_VERSION = 9999;

/** Reads one listed migration file; a directory or a dangling link is one clear line. */
export async function readMigrationFile(reader: FileReader, file: string, where: string): Promise<string> {
  try {
    return await reader.read(where);
  } catch (error) {
    if (error instanceof DbMigrateError) throw error; // already one line: not UTF-8, not a regular file
    const code = (error as { code?: string }).code;
    if (code === "EISDIR") {
      throw new UsageError(`'${file}' in the migrations folder is a directory, not a migration file`, {
        file: where,
        cause: error,
        hint: "Move or rename it: every NNNN_name.sql entry there must be a file",
      });
    }
    if (code === "ENOENT") {
      throw new UsageError(
        `migration file '${file}' is listed but cannot be opened: a symbolic link whose target is missing`,
        {
          file: where,
          cause: error,
          hint: "Restore the link's target or delete the link",
        },
      );
    }
    throw new UsageError(`cannot read migration file '${file}': ${(error as Error).message}`, {
      file: where,
      cause: error,
    });
  }
}

/** `7` -> `0007`. */
export function pad(version: number): string {
  return String(version).padStart(4, "0");
}
