/**
 * What `dbmigrate new` writes: a header with the house rules, and commented examples that lint
 * clean and use IF NOT EXISTS wherever CockroachDB 23.2+ and PostgreSQL 15+ both accept it, so a
 * migration that the CockroachDB path left half-applied can simply run again.
 */

/** The marker before each example line; uncommenting removes exactly this. */
export const EXAMPLE_PREFIX = "-- | ";

const EXAMPLES = [
  "CREATE TABLE IF NOT EXISTS site_tags (",
  "    id UUID NOT NULL DEFAULT gen_random_uuid(),",
  "    customer_id UUID NOT NULL,",
  "    site_id UUID NOT NULL,",
  "    tag TEXT NOT NULL,",
  "    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),",
  "    CONSTRAINT site_tags_pkey PRIMARY KEY (id),",
  "    CONSTRAINT site_tags_site_fkey FOREIGN KEY (customer_id, site_id) REFERENCES sites (customer_id, id),",
  "    CONSTRAINT site_tags_tag_check CHECK (length(tag) BETWEEN 1 AND 64)",
  ");",
  "CREATE INDEX IF NOT EXISTS site_tags_customer_tag_idx ON site_tags (customer_id, tag);",
  "ALTER TABLE posts ADD COLUMN IF NOT EXISTS summary TEXT NULL;",
];

/** The text of a new migration titled `title` (`0003_add_post_tags`). */
export function migrationTemplate(title: string): string {
  return [
    `-- ${title}: describe the change here.`,
    "-- Forward-only: once applied anywhere, never edit this file; add a new migration instead.",
    "-- CockroachDB 23.2+ and PostgreSQL 15+ must both accept it: no extensions, sequences, triggers,",
    "-- DEFERRABLE, procedural code or transaction control. On CockroachDB each statement commits on",
    "-- its own, so use IF NOT EXISTS where you can and do not mix DDL with writes that depend on it.",
    "-- Check it with `dbmigrate lint`; waive a rule on a statement only with a reason:",
    "--   -- dbmigrate:allow RULE-ID why it is safe here",
    "-- When done: `dbmigrate build-complete` to refresh schema/complete-schema.sql.",
    "--",
    "-- Examples (delete what you do not use):",
    ...EXAMPLES.map((line) => `${EXAMPLE_PREFIX}${line}`),
    "",
  ].join("\n");
}
