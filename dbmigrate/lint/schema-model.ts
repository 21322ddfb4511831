/**
 * What the lint knows of the schema before a statement: the tables and column types that earlier
 * migrations (and earlier statements of the same file) created. Enough to tell an existing table
 * from a new one and a widening type change from a narrowing one; not a full catalog.
 */
import type { SqlNode, Statement } from "../sql/parse";
import { names, relationName } from "./tree";

/** A column type as written: `varchar` with modifiers `[10]`. */
export interface ColumnType {
  name: string;
  mods: number[];
}

/** Tables, their columns and types, and which tables the current file created. */
export class SchemaModel {
  private readonly tables = new Map<string, Map<string, ColumnType>>();
  /** Tables (and indexes) created by the file being linted: they hold no data yet. */
  readonly createdInFile = new Set<string>();

  /** Starts a new file: its tables are no longer new. */
  beginFile(): void {
    this.createdInFile.clear();
  }

  /** A column's type, when known. */
  columnType(table: string, column: string): ColumnType | undefined {
    return this.tables.get(table)?.get(column.toLowerCase());
  }

  /** True when the current file created `table` (so it is empty). */
  isNew(table: string | undefined): boolean {
    return table !== undefined && this.createdInFile.has(table);
  }

  /** Applies what `statement` does to the model. */
  apply(statement: Pick<Statement, "kind" | "tree">): void {
    const { kind, tree } = statement;
    const table = relationName(tree);
    if (kind === "CreateStmt" && table) {
      if (this.tables.has(table) && tree.if_not_exists) return;
      const columns = new Map<string, ColumnType>();
      for (const element of (tree.tableElts as SqlNode[] | undefined) ?? []) {
        const def = element.ColumnDef as SqlNode | undefined;
        if (def) columns.set(String(def.colname).toLowerCase(), typeOf(def.typeName as SqlNode));
      }
      this.tables.set(table, columns);
      this.createdInFile.add(table);
    } else if (kind === "IndexStmt" && typeof tree.idxname === "string") {
      // Indexes share the tables' namespace; one made in this file is as new as its table.
      this.createdInFile.add(tree.idxname.toLowerCase());
    } else if (kind === "AlterTableStmt" && table) {
      const columns = this.tables.get(table);
      for (const item of (tree.cmds as SqlNode[] | undefined) ?? []) {
        const cmd = item.AlterTableCmd as SqlNode;
        const def = (cmd.def as SqlNode | undefined)?.ColumnDef as SqlNode | undefined;
        if (cmd.subtype === "AT_AddColumn" && def)
          columns?.set(String(def.colname).toLowerCase(), typeOf(def.typeName as SqlNode));
        if (cmd.subtype === "AT_AlterColumnType" && def)
          columns?.set(String(cmd.name).toLowerCase(), typeOf(def.typeName as SqlNode));
        if (cmd.subtype === "AT_DropColumn") columns?.delete(String(cmd.name).toLowerCase());
      }
    } else if (kind === "RenameStmt" && table) {
      if (tree.renameType === "OBJECT_TABLE") {
        const columns = this.tables.get(table);
        this.tables.delete(table);
        if (columns) this.tables.set(String(tree.newname).toLowerCase(), columns);
      } else if (tree.renameType === "OBJECT_COLUMN") {
        const columns = this.tables.get(table);
        const type = columns?.get(String(tree.subname).toLowerCase());
        if (columns && type) {
          columns.delete(String(tree.subname).toLowerCase());
          columns.set(String(tree.newname).toLowerCase(), type);
        }
      }
    } else if (kind === "DropStmt" && tree.removeType === "OBJECT_TABLE") {
      for (const object of (tree.objects as SqlNode[] | undefined) ?? []) {
        const name = names((object.List as SqlNode | undefined)?.items).pop();
        if (name) this.tables.delete(name.toLowerCase());
      }
    }
  }
}

/** The type a `TypeName` node names, without its `pg_catalog.` prefix. */
export function typeOf(typeName: SqlNode | undefined): ColumnType {
  const name = names(typeName?.names).pop() ?? "unknown";
  const mods = ((typeName?.typmods as SqlNode[] | undefined) ?? []).map((mod) =>
    Number(((mod.A_Const as SqlNode | undefined)?.ival as SqlNode | undefined)?.ival ?? 0),
  );
  return { name: name.toLowerCase(), mods };
}

/** `varchar(10)`. */
export function typeText(type: ColumnType): string {
  return type.mods.length > 0 ? `${type.name}(${type.mods.join(",")})` : type.name;
}

const INTEGER_WIDTH: Record<string, number> = { int2: 2, int4: 4, int8: 8 };
const CHARACTER_TYPES = new Set(["varchar", "bpchar", "text"]);

/**
 * True when every value of `from` fits `to` unchanged: integers to wider integers or numeric,
 * varchar to a longer varchar or text, numeric to a numeric with as many digits on each side of
 * the point, float4 to float8, and the same type with the same modifiers.
 */
export function widens(from: ColumnType, to: ColumnType): boolean {
  if (typeText(from) === typeText(to)) return true;
  if (from.name in INTEGER_WIDTH) {
    if (to.name in INTEGER_WIDTH) return INTEGER_WIDTH[to.name] >= INTEGER_WIDTH[from.name];
    return to.name === "numeric" && (to.mods.length === 0 || to.mods[0] - (to.mods[1] ?? 0) >= 19);
  }
  if (from.name === "varchar" && CHARACTER_TYPES.has(to.name)) {
    if (to.name === "text" || to.mods.length === 0) return to.name !== "bpchar";
    return to.name === "varchar" && from.mods.length > 0 && to.mods[0] >= from.mods[0];
  }
  if (from.name === "numeric" && to.name === "numeric") {
    if (to.mods.length === 0) return true;
    if (from.mods.length === 0) return false;
    const [p1, s1 = 0] = from.mods;
    const [p2, s2 = 0] = to.mods;
    return s2 >= s1 && p2 - s2 >= p1 - s1;
  }
  return from.name === "float4" && to.name === "float8";
}
