/**
 * Splits a migration into statements: one statement per `;`, as the house rule says. Knows
 * enough SQL lexing not to split inside comments, quoted strings or quoted identifiers.
 */

/** One statement and where it starts in its file. */
export interface Statement {
  /** The statement text without its terminating semicolon. */
  sql: string;
  /** 1-based line of the statement's first character in the file. */
  line: number;
  /** 0-based offset of the statement's first character in the file. */
  offset: number;
}

/** Splits `text` into statements; comment-only stretches yield nothing. */
export function splitStatements(text: string): Statement[] {
  const statements: Statement[] = [];
  let start = -1; // offset of the first significant character of the current statement
  let i = 0;
  const push = (end: number): void => {
    if (start >= 0) {
      const sql = text.slice(start, end).trim();
      if (sql.length > 0) statements.push({ sql, offset: start, line: lineAt(text, start) });
    }
    start = -1;
  };
  while (i < text.length) {
    const c = text[i];
    const next = text[i + 1];
    if (c === "-" && next === "-") {
      const eol = text.indexOf("\n", i);
      i = eol < 0 ? text.length : eol + 1;
    } else if (c === "/" && next === "*") {
      const close = text.indexOf("*/", i + 2);
      i = close < 0 ? text.length : close + 2;
    } else if (c === "'" || c === '"') {
      if (start < 0) start = i;
      i = skipQuoted(text, i, c);
    } else if (c === ";") {
      push(i);
      i++;
    } else {
      if (start < 0 && !/\s/.test(c)) start = i;
      i++;
    }
  }
  push(text.length);
  return statements;
}

/** Index just past the quoted run opening at `i` (a doubled quote is an escaped quote). */
function skipQuoted(text: string, i: number, quote: string): number {
  let j = i + 1;
  while (j < text.length) {
    if (text[j] === quote) {
      if (text[j + 1] === quote) j += 2;
      else return j + 1;
    } else j++;
  }
  return j;
}

/** 1-based line number of `offset` in `text`. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let k = 0; k < offset && k < text.length; k++) if (text.charCodeAt(k) === 10) line++;
  return line;
}
