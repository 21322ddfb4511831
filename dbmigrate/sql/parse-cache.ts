/**
 * Parse once: a file's parse is kept in memory for the command and on disk across runs, keyed
 * by the checksum of its text, so a no-op `status` or `up` runs no parser at all. The disk cache
 * is a folder of JSON files the user may delete at any time ({@link defaultParseCacheDir}); an
 * unreadable, corrupt or unwritable cache is never an error, only a parse. A CockroachDB-only
 * file's split (cut by libpg-query's scanner) is kept the same way.
 *
 * libpg-query (its JavaScript and WebAssembly) is loaded on a miss only: a command whose every
 * file comes from the cache never loads it.
 */
import { createHash, randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { ParsedSql, SqlComment, Statement } from "./parse";
import { SourceText } from "./source-text";

/**
 * The layout of a cached parse: the installed parser's version (so an upgrade of libpg-query
 * never reads an older one's entries) and our own layout number. Bump the number whenever
 * {@link Statement} or what this project derives from the tree changes. (The package's JSON
 * only: reading it loads none of the parser.)
 */
export const PARSE_CACHE_FORMAT = `libpg-query-${(require("libpg-query/package.json") as { version: string }).version}.1`;

/** The folder under the user's cache folder (`$XDG_CACHE_HOME`, else `~/.cache`). */
export const PARSE_CACHE_FOLDER = path.join("dbmigrate", "parse");

/** `$XDG_CACHE_HOME/dbmigrate/parse`, or `~/.cache/dbmigrate/parse`. Safe to delete. */
export function defaultParseCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base =
    env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(os.homedir(), ".cache");
  return path.join(base, PARSE_CACHE_FOLDER);
}

/** What a cache entry holds: the parse without its `SourceText`, rebuilt from the text. */
interface CachedParse {
  format: string;
  statements: Statement[];
  comments: SqlComment[];
  runsOutsideTransaction: boolean;
}

/** How a text is read: PostgreSQL's grammar, or a CockroachDB-only file cut at its `;` tokens. */
type Reading = "parse" | "split";

/** Counts, for tests and the bench: how many texts were read with libpg-query and how many came from the cache. */
export interface ParseCacheStats {
  /** Texts parsed (or, CockroachDB-only, split by the scanner): each loaded libpg-query. */
  parsed: number;
  fromMemory: number;
  fromDisk: number;
}

/** Parses SQL texts at most once per process and once per content across runs. */
export class ParseCache {
  readonly stats: ParseCacheStats = { parsed: 0, fromMemory: 0, fromDisk: 0 };
  private readonly memory = new Map<string, Promise<ParsedSql>>();

  /** `dir`: the disk cache folder, or false for memory only. */
  constructor(readonly dir: string | false = defaultParseCacheDir()) {}

  /**
   * parseSql (parse.ts) of `text` (normalised), from the cache when this content was parsed before.
   * A syntax error is not cached: it throws as parseSql does, naming `file`.
   */
  parse(text: string, file: string): Promise<ParsedSql> {
    return this.read("parse", text, file);
  }

  /**
   * splitCockroachdbOnly (cockroachdb-split.ts) of a CockroachDB-only `text` (normalised; see
   * cockroachdb-only.ts), from the cache when this content was split before.
   */
  split(text: string, file: string): Promise<ParsedSql> {
    return this.read("split", text, file);
  }

  private read(reading: Reading, text: string, file: string): Promise<ParsedSql> {
    // The reading is part of the key: a text's parse and its split are different entries.
    const key = createHash("sha256")
      .update(PARSE_CACHE_FORMAT)
      .update(`\0${reading}\0`)
      .update(text, "utf8")
      .digest("hex");
    const known = this.memory.get(key);
    if (known) {
      this.stats.fromMemory++;
      // The same content under another name parses the same; only errors name the file.
      return known;
    }
    const parsed = this.load(reading, key, text, file);
    this.memory.set(key, parsed);
    // A failed parse is not kept: the next caller gets the error with its own file name.
    parsed.catch(() => this.memory.delete(key));
    return parsed;
  }

  private async load(reading: Reading, key: string, text: string, file: string): Promise<ParsedSql> {
    const entry = this.dir === false ? undefined : path.join(this.dir, key.slice(0, 2), `${key}.json`);
    if (entry) {
      const cached = await readEntry(entry);
      // The executors send `Statement.sql`: an entry whose statements are not this text's (a stale
      // or edited file in the user's cache folder) is ignored, never run.
      if (cached && cached.statements.every((s) => text.startsWith(s.sql, s.offset))) {
        this.stats.fromDisk++;
        const { statements, comments, runsOutsideTransaction } = cached;
        return { source: new SourceText(text), statements, comments, runsOutsideTransaction };
      }
    }
    const parsed = await readWithLibpgQuery(reading, text, file);
    this.stats.parsed++;
    if (entry) await writeEntry(entry, parsed);
    return parsed;
  }
}

/**
 * The parse or split itself. Required here, on a miss, not imported at the top: parse.ts and
 * cockroachdb-split.ts load libpg-query (its JavaScript, then its WebAssembly), which
 * a command served from the cache never needs. `require`, not `import()`: the Pulumi provider
 * loads these files through tsx's CommonJS hook only.
 */
function readWithLibpgQuery(reading: Reading, text: string, file: string): Promise<ParsedSql> {
  if (reading === "split") {
    const { splitCockroachdbOnly } = require("./cockroachdb-split") as typeof import("./cockroachdb-split.js");
    return splitCockroachdbOnly(text);
  }
  const { parseSql } = require("./parse") as typeof import("./parse.js");
  return parseSql(text, file);
}

async function readEntry(entry: string): Promise<CachedParse | undefined> {
  try {
    const cached = JSON.parse(await fs.readFile(entry, "utf8")) as CachedParse;
    return cached.format === PARSE_CACHE_FORMAT && Array.isArray(cached.statements) ? cached : undefined;
  } catch {
    return undefined;
  }
}

async function writeEntry(entry: string, parsed: ParsedSql): Promise<void> {
  const { statements, comments, runsOutsideTransaction } = parsed;
  const body: CachedParse = { format: PARSE_CACHE_FORMAT, statements, comments, runsOutsideTransaction };
  // Written aside and renamed: a reader never sees half an entry, and two writers of one key
  // write the same bytes.
  const temporary = `${entry}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    await fs.mkdir(path.dirname(entry), { recursive: true });
    await fs.writeFile(temporary, JSON.stringify(body));
    await fs.rename(temporary, entry);
  } catch {
    // Read-only home, full disk, no permission: the cache is an optimisation, never a failure.
    await fs.rm(temporary, { force: true }).catch(() => undefined);
  }
}

/** The process's cache: what every command's file loading shares. */
let shared: ParseCache | undefined;

/** The cache every loader of this process uses (disk folder {@link defaultParseCacheDir}). */
export function sharedParseCache(): ParseCache {
  shared ??= new ParseCache();
  return shared;
}

/** Parses `text` through {@link sharedParseCache}. */
export function parseSqlOnce(text: string, file: string): Promise<ParsedSql> {
  return sharedParseCache().parse(text, file);
}

/** Splits a CockroachDB-only `text` through {@link sharedParseCache}. */
export function splitCockroachdbOnlyOnce(text: string, file: string): Promise<ParsedSql> {
  return sharedParseCache().split(text, file);
}
