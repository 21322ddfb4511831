/**
 * Reads a {@link SchemaSnapshot} from a live database's catalog: one schema (the session's current
 * schema unless told), leaving out the engine's own tables and anything an extension owns, in one
 * statement (one round trip: it runs on every `status`, `verify`, provider `read` and applying `up`).
 *
 * Only `pg_catalog` and the catalog-information functions (`format_type`, `pg_get_expr`,
 * `pg_get_indexdef`, `pg_get_constraintdef`, `pg_get_triggerdef`, `pg_get_viewdef`,
 * `pg_get_function_identity_arguments`) are used, so the same statement runs on CockroachDB, whose
 * `pg_catalog` mirrors PostgreSQL's catalogs for compatibility
 * (https://www.cockroachlabs.com/docs/v26.3/pg-catalog: pg_class, pg_attribute, pg_attrdef,
 * pg_index, pg_constraint, pg_policy, pg_trigger, pg_type, pg_enum, pg_proc, pg_sequence,
 * pg_depend are listed). Where CockroachDB leaves a catalog empty (no triggers before 24.3, no
 * policies before 25.2) the snapshot simply has none. Definitions are compared only between
 * snapshots read from the same engine (a diff's two throwaway databases, or drift of one database
 * against its own recorded snapshot), so the engines printing an index differently does not matter.
 */
import type { SqlClient } from "../db";
import {
  byName,
  SNAPSHOT_FORMAT,
  type ColumnSnapshot,
  type ConstraintSnapshot,
  type EnumSnapshot,
  type FunctionSnapshot,
  type IndexSnapshot,
  type PolicySnapshot,
  type SchemaSnapshot,
  type SequenceSnapshot,
  type TableSnapshot,
  type TriggerSnapshot,
  type ViewSnapshot,
} from "./model";

/** What to read. */
export interface ReadSnapshotOptions {
  /** The schema to read. Default: the session's `current_schema()`. */
  schema?: string;
  /** Tables left out with everything on them (the engine's history and lock tables). */
  excludeTables?: readonly string[];
}

// An object an extension created belongs to the extension, not to the migrations.
const NOT_FROM_EXTENSION = (catalog: string, oid: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '${catalog}'::regclass AND e.objid = ${oid} AND e.deptype = 'e')`;

// Every section reads the schema of the statement's `target` (one row, one column), an
// uncorrelated subquery: the schema is named once, by a parameter or by drift's recorded snapshot.
const SCHEMA = "(SELECT nspname FROM target)";

/**
 * A section's rows as one JSON array of objects (`[]` when none), so that the whole catalog comes
 * back in one row of one statement. `fields` are the objects' keys and the expressions they hold;
 * `orderBy` orders the array where its order is part of the model (a table's columns).
 */
const jsonRows = (fields: Record<string, string>, orderBy?: string) =>
  `coalesce(json_agg(json_build_object(${Object.entries(fields)
    .map(([key, sql]) => `'${key}', ${sql}`)
    .join(", ")})${orderBy ? ` ORDER BY ${orderBy}` : ""}), '[]')`;

const TABLES = `
SELECT ${jsonRows({ name: "c.relname", rls: "c.relrowsecurity", force: "c.relforcerowsecurity" })}
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = ${SCHEMA} AND c.relkind IN ('r', 'p') AND ${NOT_FROM_EXTENSION("pg_class", "c.oid")}`;

const COLUMNS = `
SELECT ${jsonRows(
  {
    table: "c.relname",
    name: "a.attname",
    type: "format_type(a.atttypid, a.atttypmod)",
    nullable: "NOT a.attnotnull",
    default: "pg_get_expr(d.adbin, d.adrelid)",
    identity: "a.attidentity::text",
    generated: "a.attgenerated::text",
  },
  "c.relname, a.attnum",
)}
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
 WHERE n.nspname = ${SCHEMA} AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped`;

const INDEXES = `
SELECT ${jsonRows({
  table: "t.relname",
  name: "i.relname",
  definition: "pg_get_indexdef(x.indexrelid)",
  unique: "x.indisunique",
  primary: "x.indisprimary",
})}
  FROM pg_index x
  JOIN pg_class i ON i.oid = x.indexrelid
  JOIN pg_class t ON t.oid = x.indrelid
  JOIN pg_namespace n ON n.oid = t.relnamespace
 WHERE n.nspname = ${SCHEMA} AND t.relkind IN ('r', 'p')`;

const CONSTRAINTS = `
SELECT ${jsonRows({
  table: "t.relname",
  name: "c.conname",
  kind: "c.contype::text",
  definition: "pg_get_constraintdef(c.oid)",
  references: "r.relname",
})}
  FROM pg_constraint c
  JOIN pg_class t ON t.oid = c.conrelid
  JOIN pg_namespace n ON n.oid = t.relnamespace
  LEFT JOIN pg_class r ON r.oid = c.confrelid
 WHERE n.nspname = ${SCHEMA} AND c.contype IN ('p', 'u', 'f', 'c', 'x')`;

const POLICIES = `
SELECT ${jsonRows({
  table: "t.relname",
  name: "p.polname",
  command: "p.polcmd::text",
  permissive: "p.polpermissive",
  roles: `ARRAY(SELECT CASE WHEN r.oid = 0 THEN 'public' ELSE COALESCE((SELECT rolname::text FROM pg_roles WHERE oid = r.oid), r.oid::text) END::text
               FROM unnest(p.polroles) AS r(oid))`,
  using: "pg_get_expr(p.polqual, p.polrelid)",
  with_check: "pg_get_expr(p.polwithcheck, p.polrelid)",
})}
  FROM pg_policy p
  JOIN pg_class t ON t.oid = p.polrelid
  JOIN pg_namespace n ON n.oid = t.relnamespace
 WHERE n.nspname = ${SCHEMA}`;

const TRIGGERS = `
SELECT ${jsonRows({
  table: "t.relname",
  name: "g.tgname",
  definition: "pg_get_triggerdef(g.oid)",
  enabled: "g.tgenabled::text <> 'D'",
})}
  FROM pg_trigger g
  JOIN pg_class t ON t.oid = g.tgrelid
  JOIN pg_namespace n ON n.oid = t.relnamespace
 WHERE n.nspname = ${SCHEMA} AND NOT g.tgisinternal`;

// Grouped first (an aggregate cannot hold another), then made JSON.
const ENUMS = `
SELECT ${jsonRows({ name: "v.name", values: "v.labels" })}
  FROM (SELECT t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
          FROM pg_type t
          JOIN pg_enum e ON e.enumtypid = t.oid
          JOIN pg_namespace n ON n.oid = t.typnamespace
         WHERE n.nspname = ${SCHEMA} AND ${NOT_FROM_EXTENSION("pg_type", "t.oid")}
         GROUP BY t.typname) v`;

const FUNCTIONS = `
SELECT ${jsonRows({
  name: "p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')'",
  kind: "p.prokind::text",
  returns: "CASE WHEN p.prokind = 'p' THEN NULL ELSE pg_get_function_result(p.oid) END",
  language: "l.lanname",
  volatility: "p.provolatile::text",
  security_definer: "p.prosecdef",
  body: "p.prosrc",
})}
  FROM pg_proc p
  JOIN pg_namespace n ON n.oid = p.pronamespace
  JOIN pg_language l ON l.oid = p.prolang
 WHERE n.nspname = ${SCHEMA} AND p.prokind IN ('f', 'p') AND ${NOT_FROM_EXTENSION("pg_proc", "p.oid")}`;

const VIEWS = `
SELECT ${jsonRows({ name: "c.relname", materialized: "c.relkind = 'm'", definition: "pg_get_viewdef(c.oid)" })}
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = ${SCHEMA} AND c.relkind IN ('v', 'm') AND ${NOT_FROM_EXTENSION("pg_class", "c.oid")}`;

const SEQUENCES = `
SELECT ${jsonRows({
  name: "c.relname",
  type: "format_type(s.seqtypid, NULL)",
  start: "s.seqstart::text",
  increment: "s.seqincrement::text",
  owned_by: `(SELECT t.relname || '.' || a.attname
          FROM pg_depend d
          JOIN pg_class t ON t.oid = d.refobjid
          JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
         WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i')
         LIMIT 1)`,
})}
  FROM pg_sequence s
  JOIN pg_class c ON c.oid = s.seqrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = ${SCHEMA} AND ${NOT_FROM_EXTENSION("pg_class", "c.oid")}`;

const SECTIONS = {
  tables: TABLES,
  columns: COLUMNS,
  indexes: INDEXES,
  constraints: CONSTRAINTS,
  policies: POLICIES,
  triggers: TRIGGERS,
  enums: ENUMS,
  functions: FUNCTIONS,
  views: VIEWS,
  sequences: SEQUENCES,
};

/** What a statement adds around the catalog read (drift's recorded snapshot). */
export interface SnapshotStatementParts {
  /** Common table expressions defined before `target` (which may use them). */
  with?: string;
  /** More columns of the one row. */
  columns?: string;
  /** Joined after `target` (exactly one row must remain). */
  join?: string;
}

/**
 * One statement that reads the whole catalog of one schema, `schemaSql` (an expression: a
 * parameter, or a subquery), in one round trip: one row holding the schema read (`schema`) and
 * each section as a JSON array. {@link snapshotFromRow} makes it the model.
 *
 * CockroachDB runs it as PostgreSQL does: `json_agg`, with `ORDER BY` in its argument list, is one
 * of its aggregate functions (https://www.cockroachlabs.com/docs/v23.2/functions-and-operators#aggregate-functions),
 * `json_build_object` one of its JSONB functions
 * (https://www.cockroachlabs.com/docs/v23.2/functions-and-operators#jsonb-functions), and a CTE
 * used more than once is materialized, read once
 * (https://www.cockroachlabs.com/docs/v23.2/common-table-expressions).
 */
export function snapshotStatement(schemaSql: string, parts: SnapshotStatementParts = {}): string {
  const sections = Object.entries(SECTIONS).map(([key, sql]) => `(${sql}) AS "${key}"`);
  return `WITH ${parts.with ? `${parts.with},\n` : ""}target AS (SELECT ${schemaSql} AS nspname)
SELECT target.nspname AS "schema",
${[...sections, ...(parts.columns ? [parts.columns] : [])].join(",\n")}
  FROM target${parts.join ? ` ${parts.join}` : ""}`;
}

// The session's current schema unless told: folded into the statement, not asked for first.
const READ_SNAPSHOT = snapshotStatement("COALESCE($1, current_schema())");

const CONSTRAINT_KINDS: Record<string, ConstraintSnapshot["kind"]> = {
  p: "primary key",
  u: "unique",
  f: "foreign key",
  c: "check",
  x: "exclusion",
};
const POLICY_COMMANDS: Record<string, string> = { "*": "ALL", r: "SELECT", a: "INSERT", w: "UPDATE", d: "DELETE" };
const VOLATILITY: Record<string, string> = { i: "immutable", s: "stable", v: "volatile" };
const IDENTITY: Record<string, string> = { a: "always as identity", d: "by default as identity" };

type Row = Record<string, unknown>;

/** Reads the catalog of one schema into the normalised model, in one round trip. Reads only. */
export async function readSnapshot(client: SqlClient, options: ReadSnapshotOptions = {}): Promise<SchemaSnapshot> {
  const { rows } = await client.query<Row>(READ_SNAPSHOT, [options.schema ?? null]);
  return snapshotFromRow(rows[0], options);
}

/**
 * The model from the row of a {@link snapshotStatement}: its sections as JSON arrays (their
 * objects carry the catalog's values as they are, as separate queries' rows did), the engine's
 * tables left out and everything ordered here, as before.
 */
export function snapshotFromRow(row: Row, options: ReadSnapshotOptions = {}): SchemaSnapshot {
  // The name asked for, as given; else the one the server resolved (null with no current schema).
  const schema = options.schema ?? (row.schema as string);
  const excluded = new Set(options.excludeTables ?? []);
  const rows = (section: keyof typeof SECTIONS): Row[] => row[section] as Row[];
  const kept = (r: Row) => !excluded.has(String(r.table));
  const str = (v: unknown) => (v === null || v === undefined ? null : String(v));

  const tables = new Map<string, TableSnapshot>();
  for (const r of rows("tables")) {
    if (excluded.has(String(r.name))) continue;
    tables.set(String(r.name), {
      name: String(r.name),
      rowLevelSecurity: r.rls === true,
      forceRowLevelSecurity: r.force === true,
      columns: [],
      indexes: [],
      constraints: [],
      policies: [],
      triggers: [],
    });
  }
  const on = (r: Row) => (kept(r) ? tables.get(String(r.table)) : undefined);

  for (const r of rows("columns")) {
    const column: ColumnSnapshot = {
      name: String(r.name),
      type: String(r.type),
      nullable: r.nullable === true,
      default: str(r.default),
      generated: r.generated === "s" ? "stored" : (IDENTITY[String(r.identity ?? "")] ?? null),
    };
    on(r)?.columns.push(column);
  }
  for (const r of rows("indexes")) {
    const index: IndexSnapshot = {
      name: String(r.name),
      definition: String(r.definition),
      unique: r.unique === true,
      primary: r.primary === true,
    };
    on(r)?.indexes.push(index);
  }
  for (const r of rows("constraints")) {
    const constraint: ConstraintSnapshot = {
      name: String(r.name),
      kind: CONSTRAINT_KINDS[String(r.kind)],
      definition: String(r.definition),
      references: str(r.references),
    };
    on(r)?.constraints.push(constraint);
  }
  for (const r of rows("policies")) {
    const policy: PolicySnapshot = {
      name: String(r.name),
      command: POLICY_COMMANDS[String(r.command)] ?? String(r.command),
      permissive: r.permissive !== false,
      roles: (r.roles as string[]).map(String).sort(),
      using: str(r.using),
      withCheck: str(r.with_check),
    };
    on(r)?.policies.push(policy);
  }
  for (const r of rows("triggers")) {
    const trigger: TriggerSnapshot = {
      name: String(r.name),
      definition: String(r.definition),
      enabled: r.enabled === true,
    };
    on(r)?.triggers.push(trigger);
  }
  for (const table of tables.values()) {
    // Columns keep their ordinal order (a real property of the table); the rest by name.
    table.indexes.sort(byName);
    table.constraints.sort(byName);
    table.policies.sort(byName);
    table.triggers.sort(byName);
  }

  const enums: EnumSnapshot[] = rows("enums").map((r) => ({
    name: String(r.name),
    values: (r.values as unknown[]).map(String),
  }));
  const functions: FunctionSnapshot[] = rows("functions").map((r) => ({
    name: String(r.name),
    kind: r.kind === "p" ? "procedure" : "function",
    returns: str(r.returns),
    language: String(r.language),
    volatility: VOLATILITY[String(r.volatility)] ?? String(r.volatility),
    securityDefiner: r.security_definer === true,
    body: String(r.body ?? "").trim(),
  }));
  const views: ViewSnapshot[] = rows("views").map((r) => ({
    name: String(r.name),
    materialized: r.materialized === true,
    definition: String(r.definition).trim(),
  }));
  const sequences: SequenceSnapshot[] = rows("sequences")
    .map((r) => ({
      name: String(r.name),
      type: String(r.type),
      start: String(r.start),
      increment: String(r.increment),
      ownedBy: str(r.owned_by),
    }))
    .filter((s) => !s.ownedBy || !excluded.has(s.ownedBy.split(".")[0]));

  return {
    format: SNAPSHOT_FORMAT,
    schema,
    tables: [...tables.values()].sort(byName),
    enums: enums.sort(byName),
    functions: functions.sort(byName),
    views: views.sort(byName),
    sequences: sequences.sort(byName),
  };
}
