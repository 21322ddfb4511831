/**
 * Syntax newer than the oldest PostgreSQL dbmigrate supports. Migrations are parsed with
 * PostgreSQL 18's grammar (`libpg-query`), which accepts what 15 rejects (a subquery in FROM
 * without an alias, `JSON_OBJECT('a': 1)`, `MERGE … RETURNING`): such a file lints clean and
 * fails at `up` on a PostgreSQL 15 server. The older grammars are the same project's builds for
 * those majors, installed under npm aliases (`libpg-query-15`, `-16`, `-17`; docs/adrs/0012), and
 * loaded only when needed: 15 once per lint run, 16 and 17 only to name the version a rejected
 * statement needs.
 */
import type { Statement } from "./parse";

/** The oldest PostgreSQL major dbmigrate supports. */
export const OLDEST_POSTGRES_MAJOR = 15;

/** The major whose grammar `libpg-query` (the parser of every command) carries. */
export const PARSER_POSTGRES_MAJOR = 18;

/** What an older grammar's package exposes that this needs. */
interface Grammar {
  loadModule(): Promise<void>;
  parseSync(query: string): unknown;
}

/** The grammars older than the parser's, from the oldest supported up. */
const OLDER_GRAMMARS: { major: number; load: () => Promise<Grammar> }[] = [
  { major: 15, load: () => import("libpg-query-15") },
  { major: 16, load: () => import("libpg-query-16") },
  { major: 17, load: () => import("libpg-query-17") },
];

const loaded = new Map<number, Promise<Grammar>>();

function grammar(major: number): Promise<Grammar> {
  let found = loaded.get(major);
  if (!found) {
    const entry = OLDER_GRAMMARS.find((g) => g.major === major);
    if (!entry) throw new Error(`no PostgreSQL ${major} grammar is installed`);
    found = entry.load().then(async (module) => {
      await module.loadModule();
      return module;
    });
    loaded.set(major, found);
  }
  return found;
}

/** The parser's message when `major`'s grammar rejects `sql`, or undefined when it accepts it. */
async function rejection(major: number, sql: string): Promise<string | undefined> {
  const parser = await grammar(major);
  try {
    parser.parseSync(sql);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** A statement the oldest supported PostgreSQL's grammar rejects. */
export interface NewerSyntax {
  statement: Statement;
  /** The oldest major whose grammar accepts it. */
  needs: number;
  /** What the oldest supported grammar says. */
  message: string;
}

/**
 * The statements of a file (parsed by PostgreSQL 18's grammar) that PostgreSQL
 * {@link OLDEST_POSTGRES_MAJOR}'s grammar rejects, each with the oldest major that accepts it.
 * One parse of the whole text when the file is fine (the common case).
 */
export async function newerSyntaxIn(text: string, statements: Statement[]): Promise<NewerSyntax[]> {
  if ((await rejection(OLDEST_POSTGRES_MAJOR, text)) === undefined) return [];
  const found: NewerSyntax[] = [];
  for (const statement of statements) {
    const message = await rejection(OLDEST_POSTGRES_MAJOR, statement.sql);
    if (message === undefined) continue;
    let needs = PARSER_POSTGRES_MAJOR;
    for (const { major } of OLDER_GRAMMARS.filter((g) => g.major > OLDEST_POSTGRES_MAJOR)) {
      if ((await rejection(major, statement.sql)) === undefined) {
        needs = major;
        break;
      }
    }
    found.push({ statement, needs, message });
  }
  return found;
}
