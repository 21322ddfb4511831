/**
 * Migration SQL read with PostgreSQL's own grammar (`libpg-query`: the server's parser, lexer
 * and PL/pgSQL parser compiled to WebAssembly; see docs/adrs/0012). Statement boundaries, each statement's
 * line and column, the text sent to the server and the comments on each statement all come from
 * the parser and its scanner; nothing here lexes SQL by hand.
 */
import * as path from "node:path";
import { loadModule, parseSync, scanSync, type ScanToken } from "libpg-query";
import { UsageError } from "../errors";
import { enumValueUsedLater, outsideTransactionReason } from "./outside-transaction";
import { SourceText, type TextPosition } from "./source-text";
export { lineOfPosition } from "./source-text";
import { transactionControlInBody } from "./plpgsql-transaction-control";
import { transactionControlOf } from "./transaction-control";

/** A node of the syntax tree as the parser's JSON gives it: `{ NodeType: { ...fields } }`. */
export type SqlNode = Record<string, unknown>;

/** A comment token and where it starts. */
export interface SqlComment {
  /** The comment as written, with its `--` or `/* *\/` markers. */
  text: string;
  line: number;
  column: number;
}

/** One statement of a file. */
export interface Statement {
  /** The text sent to the server: from its first token to its last, without the `;`. */
  sql: string;
  /** 1-based line of its first token. */
  line: number;
  /** 1-based column (characters) of its first token. */
  column: number;
  /** 1-based line of its last token. */
  endLine: number;
  /** 0-based index of its first token in the file's text (UTF-16 units). */
  offset: number;
  /** The statement's node type, e.g. `CreateStmt`. */
  kind: string;
  /** The statement's syntax tree (the node under `kind`). */
  tree: SqlNode;
  /** Comments before it (after the previous statement's line) and inside it. */
  comments: SqlComment[];
  /** Byte range of the statement in the file, for mapping node locations. */
  bytes: { from: number; to: number };
  /**
   * True when PostgreSQL refuses the statement inside a transaction block (`CREATE INDEX
   * CONCURRENTLY`, `VACUUM`, ...): a file holding one runs outside a transaction, statement by
   * statement.
   */
  runsOutsideTransaction: boolean;
  /** Why, when {@link runsOutsideTransaction}: the command, e.g. `CREATE INDEX CONCURRENTLY`. */
  outsideTransactionReason?: string;
  /**
   * Transaction control the statement is or holds in its PL/pgSQL body (`COMMIT`, `COMMIT in a
   * DO block (line 7)`): the engine refuses such a file before it runs anything.
   */
  transactionControl?: string;
}

/** A parsed file. */
export interface ParsedSql {
  source: SourceText;
  statements: Statement[];
  /** Every comment of the file, in order (also those after the last statement, which no statement owns). */
  comments: SqlComment[];
  /** True when a statement {@link Statement.runsOutsideTransaction}: the whole file then runs statement by statement. */
  runsOutsideTransaction: boolean;
}

/** The file does not parse: carries the parser's message and its position. */
export class SqlSyntaxError extends UsageError {}

const COMMENT_TOKENS = new Set(["SQL_COMMENT", "C_COMMENT"]);

let loaded: Promise<void> | undefined;

/** Loads the WebAssembly parser once per process. */
function ready(): Promise<void> {
  loaded ??= loadModule();
  return loaded;
}

/**
 * Parses `text` (already normalised: no BOM, `\n` line endings). A syntax error throws
 * {@link SqlSyntaxError} naming `file`, line and column, before anything else happens.
 */
export async function parseSql(text: string, file: string): Promise<ParsedSql> {
  await ready();
  const source = new SourceText(text);
  let raw: { stmt_location?: number; stmt_len?: number; stmt?: unknown }[];
  try {
    raw = (parseSync(text).stmts ?? []) as typeof raw;
  } catch (error) {
    throw syntaxError(error, source, file);
  }
  const tokens = scanSync(text).tokens;
  // Statements and tokens both come in file order: one pass over each, so cost grows linearly.
  const statements: Statement[] = [];
  const lastEnds: number[] = [];
  let next = 0;
  for (const rawStatement of raw) {
    const from = rawStatement.stmt_location ?? 0;
    const to = rawStatement.stmt_len ? from + rawStatement.stmt_len : source.bytes.length;
    let first: ScanToken | undefined;
    let last: ScanToken | undefined;
    for (; next < tokens.length && tokens[next].start < to; next++) {
      const token = tokens[next];
      // Before `from`: the previous statement's `;`. Comments are attached below.
      if (token.start < from || COMMENT_TOKENS.has(token.tokenName)) continue;
      first ??= token;
      last = token;
    }
    if (!first || !last) continue;
    const start = source.atByte(first.start);
    const [kind, tree] = Object.entries(rawStatement.stmt as SqlNode)[0] as [string, SqlNode];
    const reason = outsideTransactionReason({ kind, tree });
    const sql = source.slice(first.start, last.end);
    const control = transactionControlOf({ kind, tree }) ?? bodyControl({ kind, tree, sql }, source);
    statements.push({
      sql,
      line: start.line,
      column: start.column,
      endLine: source.atByte(last.end).line,
      offset: start.index,
      kind,
      tree,
      comments: [],
      bytes: { from, to },
      runsOutsideTransaction: reason !== undefined,
      ...(reason === undefined ? {} : { outsideTransactionReason: reason }),
      ...(control === undefined ? {} : { transactionControl: control }),
    });
    lastEnds.push(last.end);
  }
  const comments = attachComments(tokens, source, statements, lastEnds);
  markEnumValuesUsedLater(statements);
  return { source, statements, comments, runsOutsideTransaction: statements.some((s) => s.runsOutsideTransaction) };
}

/**
 * A comment belongs to the statement it precedes or sits in, except one on the line where a
 * statement ends (`...; -- note`), which belongs to that statement. A comment below the last
 * statement belongs to none. Returns every comment.
 */
function attachComments(
  tokens: ScanToken[],
  source: SourceText,
  statements: Statement[],
  lastEnds: number[],
): SqlComment[] {
  const comments: SqlComment[] = [];
  let following = 0;
  for (const token of tokens) {
    if (!COMMENT_TOKENS.has(token.tokenName)) continue;
    const at = source.atByte(token.start);
    const comment: SqlComment = { text: token.text, line: at.line, column: at.column };
    comments.push(comment);
    while (following < statements.length && lastEnds[following] <= token.start) following++;
    const before = statements[following - 1] as Statement | undefined;
    if (before && before.endLine === at.line) before.comments.push(comment);
    else statements[following]?.comments.push(comment);
  }
  return comments;
}

/** Transaction control in a statement's PL/pgSQL body, with the file line it is on. */
function bodyControl(statement: Pick<Statement, "kind" | "tree" | "sql">, source: SourceText): string | undefined {
  const found = transactionControlInBody(statement);
  if (!found) return undefined;
  if (found.bodyAt === undefined) return found.control;
  // PL/pgSQL counts lines from the body's first line, the one its opening quote is on.
  return `${found.control} (line ${source.atByte(found.bodyAt).line + found.bodyLine - 1})`;
}

function markEnumValuesUsedLater(statements: Statement[]): void {
  statements.forEach((statement, index) => {
    const reason = statement.runsOutsideTransaction ? undefined : enumValueUsedLater(statements, index);
    if (reason === undefined) return;
    statement.runsOutsideTransaction = true;
    statement.outsideTransactionReason = reason;
  });
}

function syntaxError(error: unknown, source: SourceText, file: string): SqlSyntaxError {
  const details = (error as { sqlDetails?: { message?: string; cursorPosition?: number } }).sqlDetails;
  const message = details?.message ?? (error instanceof Error ? error.message : String(error));
  const cursor = details?.cursorPosition ?? -1;
  // The parser's cursor counts characters from 0; without one, point at the file's start.
  const at: TextPosition = cursor >= 0 ? source.atChar(cursor) : { line: 1, column: 1, index: 0 };
  return new SqlSyntaxError(`${path.basename(file)} does not parse: ${message}`, {
    file,
    line: at.line,
    column: at.column,
    cause: error,
    hint: "Fix the SQL at that place: PostgreSQL's own parser rejects it",
  });
}
