/**
 * Risk notes for a pull request's schema change: what will lock, rewrite or backfill a table, or
 * lose data, read from the object-by-object diff and the statements that make it. A table's row
 * estimate (when the workflow has one) turns "a rewrite" into "a rewrite of ~40M rows".
 *
 * PostgreSQL facts: https://www.postgresql.org/docs/current/sql-altertable.html (ADD COLUMN with
 * a volatile default and ALTER COLUMN TYPE rewrite the table; SET NOT NULL and ADD CONSTRAINT
 * scan it; both under ACCESS EXCLUSIVE unless noted) and sql-createindex.html (a SHARE lock
 * blocks writes unless CONCURRENTLY). CockroachDB: schema changes run online as background jobs
 * that backfill the table (https://www.cockroachlabs.com/docs/stable/online-schema-changes).
 */
import type { SchemaChange, SchemaDiff } from "../dbmigrate";

/** At or above this estimate a table is called big. */
export const BIG_TABLE_ROWS = 1_000_000;

/** One note. */
export interface RiskNote {
  level: "high" | "medium" | "info";
  /** `posts.tags`, `index posts.posts_tags_idx`. */
  object: string;
  note: string;
}

/** What the notes are read from. */
export interface RiskInput {
  diff: SchemaDiff;
  /** The SQL of the statements that make the change (to see CONCURRENTLY, NOT VALID). */
  statements: string[];
  /** Row estimates by table, when known. */
  rowEstimates?: Record<string, number>;
}

// Functions that make a default volatile: every row gets its own value, so the table is rewritten.
const VOLATILE = /\b(gen_random_uuid|uuid_generate_v[14]|random|clock_timestamp|timeofday|nextval)\s*\(/i;

/** The notes, most severe first (stable order within a level). */
export function riskNotes(input: RiskInput): RiskNote[] {
  const notes: RiskNote[] = [];
  const sql = input.statements.join("\n");
  const newTables = new Set(
    input.diff.changes.filter((c) => c.kind === "table" && c.change === "added").map((c) => c.name),
  );
  const size = (table: string | null) => {
    const rows = table ? input.rowEstimates?.[table] : undefined;
    return rows === undefined ? "" : ` (~${formatRows(rows)} rows${rows >= BIG_TABLE_ROWS ? ", a big table" : ""})`;
  };
  const big = (table: string | null) => (table ? (input.rowEstimates?.[table] ?? 0) >= BIG_TABLE_ROWS : false);
  const add = (level: RiskNote["level"], c: SchemaChange, note: string) =>
    notes.push({ level: big(c.table) && level === "medium" ? "high" : level, object: `${c.kind} ${c.object}`, note });

  for (const c of input.diff.changes) {
    // Objects of a table this change creates touch no existing row.
    if (c.table !== null && newTables.has(c.table)) continue;
    const t = `${c.table}${size(c.table)}`;
    if (c.change === "dropped" && (c.kind === "table" || c.kind === "column")) {
      add(
        "high",
        c,
        `drops ${c.kind === "table" ? "the table" : "the column"} and its data: no way back but a restore`,
      );
    } else if (c.kind === "column" && c.change === "added") {
      const def = c.attributes.default as string | null;
      if (def && VOLATILE.test(def))
        add(
          "high",
          c,
          `a volatile default (${def}) rewrites ${t} under an ACCESS EXCLUSIVE lock; CockroachDB backfills every row in a job`,
        );
      else if (c.attributes.nullable === false && def === null)
        add("high", c, `NOT NULL without a default fails on ${t} as soon as it has a row`);
      else if (def)
        add(
          "info",
          c,
          `default ${def}: no rewrite on PostgreSQL 11+ (kept in the catalog); CockroachDB backfills ${t} in a job`,
        );
    } else if (c.kind === "column" && c.change === "altered") {
      const attrs = new Set(c.changed.map((a) => a.attribute));
      if (attrs.has("type"))
        add(
          "high",
          c,
          `a type change rewrites ${t} and holds an ACCESS EXCLUSIVE lock throughout (unless binary-coercible, e.g. varchar(n) → text)`,
        );
      if (c.changed.some((a) => a.attribute === "nullable" && a.to === false))
        add("medium", c, `SET NOT NULL scans all of ${t} under an ACCESS EXCLUSIVE lock`);
    } else if (c.kind === "index" && c.change === "added") {
      const concurrently = new RegExp(
        `CREATE\\s+(UNIQUE\\s+)?INDEX\\s+CONCURRENTLY\\s+(IF\\s+NOT\\s+EXISTS\\s+)?"?${c.name}\\b`,
        "i",
      ).test(sql);
      if (concurrently) add("info", c, `built CONCURRENTLY: writes to ${t} go on; runs outside a transaction`);
      else
        add(
          "medium",
          c,
          `CREATE INDEX blocks writes to ${t} until it is built (SHARE lock) on PostgreSQL; CockroachDB backfills it online`,
        );
    } else if (c.kind === "constraint" && (c.change === "added" || c.change === "altered")) {
      const kind = String(c.attributes.kind);
      const definition = String(c.attributes.definition);
      if ((kind === "check" || kind === "foreign key") && !/NOT VALID/i.test(definition))
        add("medium", c, `validating the ${kind} scans ${t} under a lock: add it NOT VALID, then VALIDATE CONSTRAINT`);
      if (kind === "unique" || kind === "primary key")
        add("medium", c, `builds a unique index on ${t}: writes wait for it`);
    } else if (c.kind === "table" && c.change === "altered") {
      if (c.changed.some((a) => a.attribute === "rowLevelSecurity" && a.to === true))
        add("medium", c, `row-level security on: a role without a matching policy sees no rows of ${t}`);
      if (c.changed.some((a) => a.attribute === "rowLevelSecurity" && a.to === false))
        add("high", c, `row-level security off: every role sees every tenant's rows of ${t}`);
    } else if (c.kind === "policy" && c.change !== "added") {
      add("medium", c, `tenant isolation of ${t} changes: read the policy's new expression`);
    }
  }
  const rank = { high: 0, medium: 1, info: 2 };
  return notes
    .map((n, k) => ({ n, k }))
    .sort((a, b) => rank[a.n.level] - rank[b.n.level] || a.k - b.k)
    .map(({ n }) => n);
}

function formatRows(rows: number): string {
  if (rows >= 1e9) return `${(rows / 1e9).toFixed(1)}B`;
  if (rows >= 1e6) return `${(rows / 1e6).toFixed(1)}M`;
  if (rows >= 1e3) return `${(rows / 1e3).toFixed(1)}k`;
  return String(rows);
}
