/**
 * The migration list as a host that does not apply anything needs it (the Pulumi program, for
 * the resource's inputs): each file's name and checksum, read without the SQL parser. The
 * provider parses every file before it applies one, so nothing is lost by not parsing here.
 *
 * The fast path takes a folder only when it can judge every entry without parsing; anything
 * else (a file that may have no statement yet, a name the loader refuses, two files with one
 * version, an entry it cannot read) goes through the full loader, so the list and every error
 * are always {@link loadMigrations}'s own.
 */
import {
  checksumOf,
  loadMigrations,
  MIGRATION_FILE_PATTERN,
  nodeFileReader,
  type FileReader,
  type Migration,
} from "./migrations";
import * as path from "node:path";

/** A migration as a host lists it. */
export interface MigrationRef {
  file: string;
  checksum: string;
}

/**
 * Whether `text` may hold no statement (a draft, which the loader leaves out): true unless some
 * line has a letter or digit outside a `--` comment and the file has no block comment. A letter
 * left after cutting `--` comments is a token (a keyword, a name, or a quoted string that starts
 * a statement), so such a file has a statement or fails to parse; cutting inside a quoted string
 * only removes text, so it never makes a draft look like SQL.
 */
function mayBeDraft(text: string): boolean {
  if (text.includes("/*")) return true;
  return !text.split("\n").some((line) => /[A-Za-z0-9]/.test(line.replace(/--.*$/, "")));
}

/** The migrations of `dir`, in order, as `{ file, checksum }`: the same list `loadMigrations` gives. */
export async function readMigrationRefs(dir: string, reader: FileReader = nodeFileReader): Promise<MigrationRef[]> {
  const full = async () => (await loadMigrations(dir, reader)).map(({ file, checksum }) => ({ file, checksum }));
  let entries: string[];
  try {
    entries = (await reader.list(dir)).filter((e) => /\.sql$/i.test(e)).sort();
  } catch {
    return full();
  }
  const refs: (MigrationRef & { version: number })[] = [];
  for (const file of entries) {
    const match = MIGRATION_FILE_PATTERN.exec(file);
    if (!match) return full();
    let text: string;
    try {
      text = await reader.read(path.join(dir, file));
    } catch {
      return full();
    }
    if (mayBeDraft(text)) return full();
    refs.push({ file, checksum: checksumOf(text), version: Number(match[1]) });
  }
  refs.sort((a, b) => a.version - b.version);
  if (refs.some((r, k) => k > 0 && r.version === refs[k - 1].version)) return full();
  return refs.map(({ file, checksum }) => ({ file, checksum }));
}

/**
 * A migration known by name and checksum only (no text, no statements, no directives): what the
 * plan of an up-to-date database needs, where every file is applied and none will run. Never
 * hand one to an executor.
 */
export function unparsedMigration(ref: MigrationRef): Migration {
  const match = MIGRATION_FILE_PATTERN.exec(ref.file);
  return {
    version: Number(match?.[1] ?? Number.NaN),
    name: match?.[2] ?? ref.file,
    file: ref.file,
    checksum: ref.checksum,
    sql: "",
    statements: [],
    requires: [],
    runsOutsideTransaction: false,
  };
}
