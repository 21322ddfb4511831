/**
 * Waivers: `-- dbmigrate:allow RULE-ID reason` on a statement (before it, inside it, or after
 * its `;` on its last line) lets that statement break that rule, and the report shows the reason.
 */
import type { SqlComment, Statement } from "./parse";

/** The comment marker, as people write it. */
export const WAIVER_MARKER = "dbmigrate:allow";

/** One waiver on one statement. */
export interface Waiver {
  rule: string;
  /** Why the rule does not apply; empty when missing (itself a finding). */
  reason: string;
  line: number;
  column: number;
}

const WAIVER = /^--\s*dbmigrate:allow(?:\s+(\S+))?(?:\s+(.*))?$/;

/** The waivers written on `statement`. */
export function waiversOf(statement: Pick<Statement, "comments">): Waiver[] {
  return statement.comments.flatMap((comment) => parseWaiver(comment) ?? []);
}

function parseWaiver(comment: SqlComment): Waiver | undefined {
  const match = WAIVER.exec(comment.text.trim());
  if (!match) return undefined;
  return { rule: match[1] ?? "", reason: (match[2] ?? "").trim(), line: comment.line, column: comment.column };
}
