/**
 * A CockroachDB-only migration (see cockroachdb-only.ts) cut into statements at the `;` tokens of
 * PostgreSQL's scanner: lexing is the same for both engines, only the grammar differs
 * (docs/adrs/0013). Loads libpg-query; the parse cache keeps the result, as it does a parse.
 */
import { loadModule, scanSync, type ScanToken } from "libpg-query";
import { COCKROACHDB_STATEMENT_KIND } from "./cockroachdb-only";
import type { ParsedSql, SqlComment, Statement } from "./parse";
import { SourceText } from "./source-text";

const COMMENT_TOKENS = new Set(["SQL_COMMENT", "C_COMMENT"]);

/** Transaction control by its first keyword, in the shape `transactionControlOf` reads. */
const TRANSACTION_KEYWORDS: Record<string, string> = {
  BEGIN: "TRANS_STMT_BEGIN",
  START: "TRANS_STMT_START",
  COMMIT: "TRANS_STMT_COMMIT",
  END: "TRANS_STMT_COMMIT",
  ROLLBACK: "TRANS_STMT_ROLLBACK",
  ABORT: "TRANS_STMT_ROLLBACK",
  SAVEPOINT: "TRANS_STMT_SAVEPOINT",
  RELEASE: "TRANS_STMT_RELEASE",
  PREPARE: "TRANS_STMT_PREPARE",
};

/**
 * Cuts a CockroachDB-only file into statements (text already normalised). A `;` inside
 * `BEGIN ATOMIC ... END` does not end a statement, as in CockroachDB's own splitter. The
 * statements have no syntax tree: `kind` is {@link COCKROACHDB_STATEMENT_KIND}, or
 * `TransactionStmt` for transaction control, which the engine refuses as in any migration.
 */
export async function splitCockroachdbOnly(text: string): Promise<ParsedSql> {
  await loadModule();
  const source = new SourceText(text);
  const tokens = scanSync(text).tokens;
  const statements: Statement[] = [];
  let current: ScanToken[] = [];
  let comments: SqlComment[] = [];
  const all: SqlComment[] = [];
  let atomic = 0;
  const close = () => {
    if (current.length === 0) return;
    const first = current[0];
    const last = current[current.length - 1];
    const start = source.atByte(first.start);
    const keyword = first.text.toUpperCase();
    const second = current[1]?.text.toUpperCase();
    const control = keyword === "SET" && second === "TRANSACTION" ? "TRANS_STMT_SET" : TRANSACTION_KEYWORDS[keyword];
    const isControl = control !== undefined && !(keyword === "PREPARE" && second !== "TRANSACTION");
    statements.push({
      sql: source.slice(first.start, last.end),
      line: start.line,
      column: start.column,
      endLine: source.atByte(last.end).line,
      offset: start.index,
      kind: isControl
        ? control === "TRANS_STMT_SET"
          ? "VariableSetStmt"
          : "TransactionStmt"
        : COCKROACHDB_STATEMENT_KIND,
      tree: isControl ? (control === "TRANS_STMT_SET" ? { name: "TRANSACTION" } : { kind: control }) : {},
      comments,
      bytes: { from: first.start, to: last.end },
      // The engine runs CockroachDB migrations statement by statement anyway (and never on PostgreSQL).
      runsOutsideTransaction: false,
    });
    current = [];
    comments = [];
  };
  for (const token of tokens) {
    if (COMMENT_TOKENS.has(token.tokenName)) {
      const at = source.atByte(token.start);
      const comment = { text: token.text, line: at.line, column: at.column };
      all.push(comment);
      // A comment on the line a statement ends belongs to that statement, as in parseSql.
      const previous = statements[statements.length - 1];
      if (current.length === 0 && previous && previous.endLine === at.line) previous.comments.push(comment);
      else comments.push(comment);
      continue;
    }
    const word = token.text.toUpperCase();
    if (token.tokenName === "ASCII_59" && atomic === 0) {
      close();
      continue;
    }
    if (word === "ATOMIC" && current[current.length - 1]?.text.toUpperCase() === "BEGIN") atomic++;
    else if (word === "END" && atomic > 0) atomic--;
    current.push(token);
  }
  close();
  // Comments below the last statement belong to none, as in parseSql.
  return { source, statements, comments: all, runsOutsideTransaction: false };
}
