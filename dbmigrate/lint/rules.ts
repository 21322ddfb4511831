/** Every rule dbmigrate checks on the syntax tree, in report order. */
import type { FileRule, Rule } from "./rule";
import { COCKROACHDB_GRAMMAR_RULES, COCKROACHDB_RULES } from "./rules-cockroachdb";
import { DESTRUCTIVE_RULES } from "./rules-destructive";
import { POSTGRES_FILE_RULES, POSTGRES_STATEMENT_RULES } from "./rules-postgres";

/** Rules checked on each statement, with the schema before it. */
export const RULES: readonly Rule[] = [...COCKROACHDB_RULES, ...DESTRUCTIVE_RULES, ...POSTGRES_STATEMENT_RULES];

/** Rules checked on a whole file at once (after the statement rules). */
export const FILE_RULES: readonly FileRule[] = [...POSTGRES_FILE_RULES];

/** Every rule, for listings and the waiver checks. */
export const ALL_RULES: readonly Pick<Rule, "id" | "severity" | "summary" | "fix" | "waivable">[] = [
  ...RULES,
  ...FILE_RULES,
  ...COCKROACHDB_GRAMMAR_RULES,
];

/** Findings about the lint input itself; they cannot be waived. */
export const META_RULES = {
  syntaxError: { id: "syntax-error", fix: "Fix the SQL at that place: PostgreSQL's own parser rejects it" },
  waiverReason: {
    id: "waiver-without-reason",
    fix: "Say why the rule does not apply: -- dbmigrate:allow RULE-ID <reason>",
  },
  unusedWaiver: {
    id: "unused-waiver",
    fix: "Remove the waiver, or correct its rule id: that rule does not fire on this statement",
  },
} as const;
