/**
 * The difference between two {@link SchemaSnapshot}s as a list of changes, one per object:
 * added, dropped or altered (with each attribute's old and new value). A table added or dropped
 * is one change (its columns, indexes... are its details, not changes of their own); a table in
 * both snapshots gives one change per column, index, constraint, policy or trigger that differs.
 */
import type { SchemaSnapshot, TableSnapshot } from "./model";
import { snapshotHash } from "./model";

/** What kind of object changed. */
export type ObjectKind =
  "enum" | "sequence" | "table" | "column" | "constraint" | "index" | "policy" | "trigger" | "function" | "view";

/** One attribute of an altered object. */
export interface AttributeChange {
  attribute: string;
  from: unknown;
  to: unknown;
}

/** One object's change. */
export interface SchemaChange {
  change: "added" | "dropped" | "altered";
  kind: ObjectKind;
  /** The table an object of a table belongs to (and a table's own name), else null. */
  table: string | null;
  name: string;
  /** How a person names it: `posts.tags`, `index posts_tags_idx`... the table-qualified name. */
  object: string;
  /** The object's attributes after (added, altered) or before (dropped) the change. */
  attributes: Record<string, unknown>;
  /** For `altered`: what changed. */
  changed: AttributeChange[];
}

/** Two snapshots compared. */
export interface SchemaDiff {
  fromHash: string;
  toHash: string;
  changes: SchemaChange[];
}

const KIND_ORDER: ObjectKind[] = [
  "enum",
  "sequence",
  "table",
  "column",
  "constraint",
  "index",
  "policy",
  "trigger",
  "function",
  "view",
];

type Named = { name: string };

/** The changes that turn `from` into `to`, in a stable order (by table, then kind, then name). */
export function diffSnapshots(from: SchemaSnapshot, to: SchemaSnapshot): SchemaDiff {
  const changes: SchemaChange[] = [];
  const push = (
    change: SchemaChange["change"],
    kind: ObjectKind,
    table: string | null,
    name: string,
    attributes: object,
    changed: AttributeChange[] = [],
  ) =>
    changes.push({
      change,
      kind,
      table,
      name,
      object: table && kind !== "table" ? `${table}.${name}` : name,
      attributes: attributes as Record<string, unknown>,
      changed,
    });

  const compare = <T extends Named>(
    kind: ObjectKind,
    table: string | null,
    before: readonly T[],
    after: readonly T[],
    altered: (a: T, b: T) => AttributeChange[] = attributeChanges,
  ) => {
    const old = new Map(before.map((o) => [o.name, o]));
    const now = new Map(after.map((o) => [o.name, o]));
    for (const [name, o] of old) if (!now.has(name)) push("dropped", kind, table, name, withoutName(o));
    for (const [name, o] of now) {
      const was = old.get(name);
      if (!was) push("added", kind, table, name, withoutName(o));
      else {
        const changed = altered(was, o);
        if (changed.length > 0) push("altered", kind, table, name, withoutName(o), changed);
      }
    }
  };

  compare("enum", null, from.enums, to.enums);
  compare("sequence", null, from.sequences, to.sequences);
  compare("table", null, from.tables, to.tables, (a, b) => {
    // A table in both: its own attributes here, its parts as changes of their own.
    const table = b.name;
    compare("column", table, a.columns, b.columns);
    compare("constraint", table, a.constraints, b.constraints);
    compare("index", table, a.indexes, b.indexes);
    compare("policy", table, a.policies, b.policies);
    compare("trigger", table, a.triggers, b.triggers);
    return attributeChanges(tableAttributes(a), tableAttributes(b));
  });
  compare("function", null, from.functions, to.functions);
  compare("view", null, from.views, to.views);

  // Tables: `table` is the table's own name for its own change, so it sorts with its parts.
  for (const c of changes) {
    if (c.kind !== "table") continue;
    c.table = c.name;
    if (c.change === "altered") c.attributes = tableAttributes(c.attributes as unknown as TableSnapshot);
  }
  // Types and sequences first (what tables use), then table by table, then functions and views.
  const group = (c: SchemaChange) => (c.table !== null ? 2 : c.kind === "enum" ? 0 : c.kind === "sequence" ? 1 : 3);
  changes.sort(
    (a, b) =>
      group(a) - group(b) ||
      cmp(a.table ?? "", b.table ?? "") ||
      KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) ||
      cmp(a.name, b.name) ||
      cmp(a.change, b.change),
  );
  return { fromHash: snapshotHash(from), toHash: snapshotHash(to), changes };
}

/** The table's own attributes (its parts are compared one by one). */
function tableAttributes(t: TableSnapshot): Record<string, unknown> {
  return { rowLevelSecurity: t.rowLevelSecurity, forceRowLevelSecurity: t.forceRowLevelSecurity };
}

function attributeChanges(a: object, b: object): AttributeChange[] {
  const before = a as Record<string, unknown>;
  const after = b as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => k !== "name");
  return keys
    .filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]))
    .map((attribute) => ({ attribute, from: before[attribute] ?? null, to: after[attribute] ?? null }));
}

function withoutName(o: Named): Record<string, unknown> {
  const { name: _name, ...rest } = o as Named & Record<string, unknown>;
  return rest;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
