/**
 * Reads a {@link SchemaSnapshot} from a live database's catalog: one schema (the session's current
 * schema unless told), leaving out the engine's own tables and anything an extension owns.
 *
 * Only `pg_catalog` and the catalog-information functions (`format_type`, `pg_get_expr`,
 * `pg_get_indexdef`, `pg_get_constraintdef`, `pg_get_triggerdef`, `pg_get_viewdef`,
 * `pg_get_function_identity_arguments`) are used, so the same queries run on CockroachDB, whose
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

const TABLES = `
SELECT c.relname AS name, c.relrowsecurity AS rls, c.relforcerowsecurity AS force
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND ${NOT_FROM_EXTENSION("pg_class", "c.oid")}`;

const COLUMNS = `
SELECT c.relname AS table, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
       NOT a.attnotnull AS nullable, pg_get_expr(d.adbin, d.adrelid) AS default,
       a.attidentity::text AS identity, a.attgenerated::text AS generated
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
 WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
 ORDER BY c.relname, a.attnum`;

const INDEXES = `
SELECT t.relname AS table, i.relname AS name, pg_get_indexdef(x.indexrelid) AS definition,
       x.indisunique AS unique, x.indisprimary AS primary
  FROM pg_index x
  JOIN pg_class i ON i.oid = x.indexrelid
  JOIN pg_class t ON t.oid = x.indrelid
  JOIN pg_namespace n ON n.oid = t.relnamespace
 WHERE n.nspname = $1 AND t.relkind IN ('r', 'p')`;

const CONSTRAINTS = `
SELECT t.relname AS table, c.conname AS name, c.contype::text AS kind,
       pg_get_constraintdef(c.oid) AS definition, r.relname AS references
  FROM pg_constraint c
  JOIN pg_class t ON t.oid = c.conrelid
  JOIN pg_namespace n ON n.oid = t.relnamespace
  LEFT JOIN pg_class r ON r.oid = c.confrelid
 WHERE n.nspname = $1 AND c.contype IN ('p', 'u', 'f', 'c', 'x')`;

const POLICIES = `
SELECT t.relname AS table, p.polname AS name, p.polcmd::text AS command, p.polpermissive AS permissive,
       ARRAY(SELECT CASE WHEN r.oid = 0 THEN 'public' ELSE COALESCE((SELECT rolname::text FROM pg_roles WHERE oid = r.oid), r.oid::text) END::text
               FROM unnest(p.polroles) AS r(oid)) AS roles,
       pg_get_expr(p.polqual, p.polrelid) AS using, pg_get_expr(p.polwithcheck, p.polrelid) AS with_check
  FROM pg_policy p
  JOIN pg_class t ON t.oid = p.polrelid
  JOIN pg_namespace n ON n.oid = t.relnamespace
 WHERE n.nspname = $1`;

const TRIGGERS = `
SELECT t.relname AS table, g.tgname AS name, pg_get_triggerdef(g.oid) AS definition, g.tgenabled::text <> 'D' AS enabled
  FROM pg_trigger g
  JOIN pg_class t ON t.oid = g.tgrelid
  JOIN pg_namespace n ON n.oid = t.relnamespace
 WHERE n.nspname = $1 AND NOT g.tgisinternal`;

const ENUMS = `
SELECT t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS values
  FROM pg_type t
  JOIN pg_enum e ON e.enumtypid = t.oid
  JOIN pg_namespace n ON n.oid = t.typnamespace
 WHERE n.nspname = $1 AND ${NOT_FROM_EXTENSION("pg_type", "t.oid")}
 GROUP BY t.typname`;

const FUNCTIONS = `
SELECT p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')' AS name, p.prokind::text AS kind,
       CASE WHEN p.prokind = 'p' THEN NULL ELSE pg_get_function_result(p.oid) END AS returns,
       l.lanname AS language, p.provolatile::text AS volatility, p.prosecdef AS security_definer, p.prosrc AS body
  FROM pg_proc p
  JOIN pg_namespace n ON n.oid = p.pronamespace
  JOIN pg_language l ON l.oid = p.prolang
 WHERE n.nspname = $1 AND p.prokind IN ('f', 'p') AND ${NOT_FROM_EXTENSION("pg_proc", "p.oid")}`;

const VIEWS = `
SELECT c.relname AS name, c.relkind = 'm' AS materialized, pg_get_viewdef(c.oid) AS definition
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = $1 AND c.relkind IN ('v', 'm') AND ${NOT_FROM_EXTENSION("pg_class", "c.oid")}`;

const SEQUENCES = `
SELECT c.relname AS name, format_type(s.seqtypid, NULL) AS type, s.seqstart::text AS start,
       s.seqincrement::text AS increment,
       (SELECT t.relname || '.' || a.attname
          FROM pg_depend d
          JOIN pg_class t ON t.oid = d.refobjid
          JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
         WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i')
         LIMIT 1) AS owned_by
  FROM pg_sequence s
  JOIN pg_class c ON c.oid = s.seqrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = $1 AND ${NOT_FROM_EXTENSION("pg_class", "c.oid")}`;

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

/** Reads the catalog of one schema into the normalised model. Reads only. */
export async function readSnapshot(client: SqlClient, options: ReadSnapshotOptions = {}): Promise<SchemaSnapshot> {
  const schema =
    options.schema ?? (await client.query<{ schema: string }>("SELECT current_schema() AS schema")).rows[0].schema;
  const excluded = new Set(options.excludeTables ?? []);
  const rows = async (text: string): Promise<Row[]> => (await client.query<Row>(text, [schema])).rows;
  const kept = (r: Row) => !excluded.has(String(r.table));
  const str = (v: unknown) => (v === null || v === undefined ? null : String(v));

  const tables = new Map<string, TableSnapshot>();
  for (const r of await rows(TABLES)) {
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

  for (const r of await rows(COLUMNS)) {
    const column: ColumnSnapshot = {
      name: String(r.name),
      type: String(r.type),
      nullable: r.nullable === true,
      default: str(r.default),
      generated: r.generated === "s" ? "stored" : (IDENTITY[String(r.identity ?? "")] ?? null),
    };
    on(r)?.columns.push(column);
  }
  for (const r of await rows(INDEXES)) {
    const index: IndexSnapshot = {
      name: String(r.name),
      definition: String(r.definition),
      unique: r.unique === true,
      primary: r.primary === true,
    };
    on(r)?.indexes.push(index);
  }
  for (const r of await rows(CONSTRAINTS)) {
    const constraint: ConstraintSnapshot = {
      name: String(r.name),
      kind: CONSTRAINT_KINDS[String(r.kind)],
      definition: String(r.definition),
      references: str(r.references),
    };
    on(r)?.constraints.push(constraint);
  }
  for (const r of await rows(POLICIES)) {
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
  for (const r of await rows(TRIGGERS)) {
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

  const enums: EnumSnapshot[] = (await rows(ENUMS)).map((r) => ({
    name: String(r.name),
    values: (r.values as unknown[]).map(String),
  }));
  const functions: FunctionSnapshot[] = (await rows(FUNCTIONS)).map((r) => ({
    name: String(r.name),
    kind: r.kind === "p" ? "procedure" : "function",
    returns: str(r.returns),
    language: String(r.language),
    volatility: VOLATILITY[String(r.volatility)] ?? String(r.volatility),
    securityDefiner: r.security_definer === true,
    body: String(r.body ?? "").trim(),
  }));
  const views: ViewSnapshot[] = (await rows(VIEWS)).map((r) => ({
    name: String(r.name),
    materialized: r.materialized === true,
    definition: String(r.definition).trim(),
  }));
  const sequences: SequenceSnapshot[] = (await rows(SEQUENCES))
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
