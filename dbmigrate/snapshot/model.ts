/**
 * The schema as data: one normalised, ordered model of a database's catalog (tables with their
 * columns, indexes, constraints, row-level-security policies and triggers; enums, functions,
 * views, sequences), stable as JSON so that two snapshots compare as text and hash the same when
 * the schemas are the same. Every list is sorted by name (code-point order, not the locale's).
 */
import { createHash } from "node:crypto";

/** The model's version: a change to its shape changes it, and a recorded snapshot of another version is re-read. */
export const SNAPSHOT_FORMAT = 1;

/** A column: type, default, nullability. */
export interface ColumnSnapshot {
  name: string;
  /** As `format_type` prints it: `character varying(200)`, `uuid`, `text[]`. */
  type: string;
  nullable: boolean;
  /** The default expression as the server prints it, or null. */
  default: string | null;
  /** `always` / `by default` for identity columns, `stored` for generated ones, else null. */
  generated: string | null;
}

/** An index, with its definition as the catalog prints it. */
export interface IndexSnapshot {
  name: string;
  /** `pg_get_indexdef`: columns, method, predicate, uniqueness. */
  definition: string;
  unique: boolean;
  primary: boolean;
}

/** A table constraint (primary key, unique, foreign key, check, exclusion). */
export interface ConstraintSnapshot {
  name: string;
  kind: "primary key" | "unique" | "foreign key" | "check" | "exclusion";
  /** `pg_get_constraintdef`. */
  definition: string;
  /** The referenced table of a foreign key, else null. */
  references: string | null;
}

/** A row-level-security policy. */
export interface PolicySnapshot {
  name: string;
  /** `ALL`, `SELECT`, `INSERT`, `UPDATE` or `DELETE`. */
  command: string;
  permissive: boolean;
  roles: string[];
  using: string | null;
  withCheck: string | null;
}

/** A trigger, with its definition. */
export interface TriggerSnapshot {
  name: string;
  definition: string;
  enabled: boolean;
}

/** A table with its columns, indexes, constraints, policies and triggers. */
export interface TableSnapshot {
  name: string;
  rowLevelSecurity: boolean;
  forceRowLevelSecurity: boolean;
  columns: ColumnSnapshot[];
  indexes: IndexSnapshot[];
  constraints: ConstraintSnapshot[];
  policies: PolicySnapshot[];
  triggers: TriggerSnapshot[];
}

/** An enum type and its labels, in order. */
export interface EnumSnapshot {
  name: string;
  values: string[];
}

/** A function or procedure, by name and identity arguments. */
export interface FunctionSnapshot {
  /** Name and argument types: `touch_updated_at()`, `slugify(text)`. */
  name: string;
  kind: "function" | "procedure";
  returns: string | null;
  language: string;
  volatility: string;
  securityDefiner: boolean;
  /** The body as stored (`prosrc`), trimmed. */
  body: string;
}

/** A view or materialized view, with its definition. */
export interface ViewSnapshot {
  name: string;
  materialized: boolean;
  definition: string;
}

/** A sequence. */
export interface SequenceSnapshot {
  name: string;
  type: string;
  start: string;
  increment: string;
  /** `table.column` of the column that owns it (serial, identity), or null. */
  ownedBy: string | null;
}

/** One schema's catalog. */
export interface SchemaSnapshot {
  format: typeof SNAPSHOT_FORMAT;
  /** The schema read (the session's current schema by default). */
  schema: string;
  tables: TableSnapshot[];
  enums: EnumSnapshot[];
  functions: FunctionSnapshot[];
  views: ViewSnapshot[];
  sequences: SequenceSnapshot[];
}

/** A snapshot with no objects (the base of a diff against an empty database). */
export function emptySnapshot(schema = "public"): SchemaSnapshot {
  return { format: SNAPSHOT_FORMAT, schema, tables: [], enums: [], functions: [], views: [], sequences: [] };
}

/** Code-point order, the same on every machine (localeCompare is not). */
export function byName<T extends { name: string }>(a: T, b: T): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** The snapshot as stable JSON: keys in a fixed order, lists sorted; the text the hash is taken of. */
export function snapshotJson(snapshot: SchemaSnapshot, indent?: number): string {
  return JSON.stringify(sortedKeys(snapshot), null, indent);
}

/** `sha256:<hex>` of {@link snapshotJson}: equal hashes, equal schemas. */
export function snapshotHash(snapshot: SchemaSnapshot): string {
  return `sha256:${createHash("sha256").update(snapshotJson(snapshot)).digest("hex")}`;
}

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortedKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}
