/**
 * How PostgreSQL will take a statement, whatever the engine: syntax the oldest supported version
 * rejects, and statements that make the engine run their file outside a transaction.
 */
import { newerSyntaxIn, OLDEST_POSTGRES_MAJOR } from "../sql/grammar-versions";
import type { FileRule, Rule } from "./rule";

/** PostgreSQL rules on one statement. */
export const POSTGRES_STATEMENT_RULES: Rule[] = [
  {
    id: "runs-outside-transaction",
    severity: "info",
    summary: "a statement PostgreSQL refuses in a transaction block (CREATE INDEX CONCURRENTLY, VACUUM, ...)",
    fix: "Nothing to do if intended; keep such statements in a file of their own, so a failure leaves nothing half-applied",
    check: (s) =>
      s.runsOutsideTransaction
        ? [
            {
              message: `${s.outsideTransactionReason ?? "this statement"} cannot run inside a transaction block, so this file runs outside a transaction, statement by statement (resumable at the statement that failed)`,
            },
          ]
        : [],
  },
];

/** PostgreSQL rules on a whole file: the oldest supported version's grammar over its text. */
export const POSTGRES_FILE_RULES: FileRule[] = [
  {
    id: "postgres-version",
    severity: "error",
    summary: `syntax PostgreSQL ${OLDEST_POSTGRES_MAJOR} (the oldest supported) rejects`,
    fix: `Write it the way PostgreSQL ${OLDEST_POSTGRES_MAJOR} accepts, or waive it if every database this project targets is newer`,
    checkFile: async (parsed, text) =>
      (await newerSyntaxIn(text, parsed.statements)).map(({ statement, needs, message }) => ({
        statement,
        message: `PostgreSQL ${OLDEST_POSTGRES_MAJOR}'s grammar rejects this statement (${message}); it needs PostgreSQL ${needs} or later`,
      })),
  },
];
