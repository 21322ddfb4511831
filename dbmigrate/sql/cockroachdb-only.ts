/**
 * CockroachDB-only migrations: a file headed `-- dbmigrate:requires cockroachdb` may hold
 * statements only CockroachDB's grammar accepts (`CREATE INDEX ... USING HASH`, `CONFIGURE ZONE`,
 * `STORING`, `FAMILY`, ...). PostgreSQL's parser must not read them (it would refuse the file), so
 * their statements are cut at the `;` tokens of PostgreSQL's *scanner* (lexing is the same for
 * both engines; only the grammar differs) and CockroachDB's own parser judges them in
 * `dbmigrate lint` (docs/adrs/0013).
 */
// Recognising such a file reads its header lines only: no libpg-query, so a migration whose
// statements come from the cache is read without it. Cutting one: cockroachdb-split.ts.

/** The header line that makes a migration CockroachDB-only. */
export const COCKROACHDB_ONLY_DIRECTIVE = "-- dbmigrate:requires cockroachdb";

const DIRECTIVE = /^--\s*dbmigrate:requires\s+cockroachdb\s*$/;

/** The statement kind a CockroachDB-only statement carries: there is no PostgreSQL tree. */
export const COCKROACHDB_STATEMENT_KIND = "CockroachdbStatement";

/**
 * True when the comments before the first statement hold `-- dbmigrate:requires cockroachdb`
 * (a header: a directive further down does not make the file CockroachDB-only).
 */
export function isCockroachdbOnly(text: string): boolean {
  for (const line of text.split("\n")) {
    const trimmed = line.trim();
    if (trimmed === "") continue;
    if (!trimmed.startsWith("--")) return false;
    if (DIRECTIVE.test(trimmed)) return true;
  }
  return false;
}
