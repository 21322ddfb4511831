/**
 * What the lint knows of the schema before a statement: the tables and column types that earlier
 * migrations (and earlier statements of the same file) created, keyed by schema-qualified name
 * (`app.posts` and `public.posts` are two tables). Enough to tell an existing table from a new
 * or temporary one and a widening type change from a narrowing one; not a full catalog.
 */
import type { SqlNode, Statement } from "../sql/parse";
import { names, qualifiedName } from "./tree";

/** A column type as written: `varchar` with modifiers `[10]`. */
export interface ColumnType {
  name: string;
  mods: number[];
}

/** The schema unqualified names resolve to: the DSN's search_path is not known here. */
export const DEFAULT_SCHEMA = "public";

/** Where temporary tables live (first on every search path). */
const TEMP_SCHEMA = "pg_temp";

/** Tables, their columns and types, and what the current file created. */
export class SchemaModel {
  /** Columns by qualified table name. */
  private readonly tables = new Map<string, Map<string, ColumnType>>();
  /** Qualified names of relations, indexes and types the current file created: they hold no data yet. */
  private readonly createdInFile = new Set<string>();
  /** Schemas the current file created: everything in them is new. */
  private readonly schemasCreatedInFile = new Set<string>();
  /** Where unqualified names go: the first schema of the file's last `SET search_path`. */
  private searchSchema = DEFAULT_SCHEMA;

  /** Starts a new file: its objects are no longer new, and its search_path is the engine's again. */
  beginFile(): void {
    this.createdInFile.clear();
    this.schemasCreatedInFile.clear();
    this.searchSchema = DEFAULT_SCHEMA;
  }

  /**
   * The qualified name of `name` (`posts`, `app.posts`): an unqualified name is a temporary
   * table's when one exists, else in the schema of the file's search_path.
   */
  resolve(name: string): string {
    if (name.includes(".")) return name;
    const temporary = `${TEMP_SCHEMA}.${name}`;
    return this.tables.has(temporary) ? temporary : `${this.searchSchema}.${name}`;
  }

  /** A column's type, when known; `table` qualified or not. */
  columnType(table: string, column: string): ColumnType | undefined {
    return this.tables.get(this.resolve(table))?.get(column);
  }

  /**
   * True when dropping or emptying `name` loses nothing that existed before this migration: the
   * current file created it (or its schema), or it is a temporary table.
   */
  isNew(name: string | undefined): boolean {
    if (name === undefined) return false;
    const key = this.resolve(name);
    const schema = key.slice(0, key.lastIndexOf("."));
    return this.createdInFile.has(key) || this.schemasCreatedInFile.has(schema) || schema === TEMP_SCHEMA;
  }

  /** True when the current file created schema `name`. */
  isNewSchema(name: string): boolean {
    return this.schemasCreatedInFile.has(name);
  }

  /** Applies what `statement` does to the model. */
  apply(statement: Pick<Statement, "kind" | "tree">): void {
    const { kind, tree } = statement;
    switch (kind) {
      case "CreateStmt":
        return this.createTable(tree);
      case "CreateTableAsStmt":
        return this.created(this.relationKey((tree.into as SqlNode | undefined)?.rel as SqlNode | undefined));
      case "ViewStmt":
        return this.created(this.relationKey(tree.view as SqlNode | undefined));
      case "CreateSeqStmt":
        return this.created(this.relationKey(tree.sequence as SqlNode | undefined));
      case "IndexStmt": {
        // An index lives in its table's schema and shares the tables' namespace.
        const table = this.relationKey(tree.relation as SqlNode | undefined);
        if (table && typeof tree.idxname === "string")
          this.created(`${table.slice(0, table.lastIndexOf("."))}.${tree.idxname}`);
        return;
      }
      case "CreateEnumStmt":
      case "CreateDomainStmt":
        return this.created(this.nameKey(names(tree.typeName ?? tree.domainname)));
      case "CompositeTypeStmt":
        return this.created(this.relationKey(tree.typevar as SqlNode | undefined));
      case "CreateSchemaStmt":
        if (typeof tree.schemaname === "string") this.schemasCreatedInFile.add(tree.schemaname);
        return;
      case "VariableSetStmt":
        return this.setSearchPath(tree);
      case "AlterTableStmt":
        return this.alterTable(tree);
      case "RenameStmt":
        return this.rename(tree);
      case "AlterObjectSchemaStmt":
        return this.moveTable(tree);
      case "DropStmt":
        return this.drop(tree);
    }
  }

  /** The qualified name of a `RangeVar` node. */
  relationKey(rangeVar: SqlNode | undefined): string | undefined {
    if (rangeVar?.relpersistence === "t") return `${TEMP_SCHEMA}.${String(rangeVar.relname)}`;
    const name = qualifiedName(rangeVar);
    return name === undefined ? undefined : this.resolve(name);
  }

  private nameKey(parts: string[]): string | undefined {
    return parts.length === 0 ? undefined : this.resolve(parts.slice(-2).join("."));
  }

  private created(key: string | undefined): void {
    if (key) this.createdInFile.add(key);
  }

  private createTable(tree: SqlNode): void {
    const key = this.relationKey(tree.relation as SqlNode | undefined);
    if (!key || (this.tables.has(key) && tree.if_not_exists)) return;
    const columns = new Map<string, ColumnType>();
    for (const element of (tree.tableElts as SqlNode[] | undefined) ?? []) {
      const def = element.ColumnDef as SqlNode | undefined;
      if (def) columns.set(String(def.colname), typeOf(def.typeName as SqlNode));
    }
    this.tables.set(key, columns);
    this.created(key);
  }

  private setSearchPath(tree: SqlNode): void {
    if (tree.name !== "search_path") return;
    if (tree.kind === "VAR_RESET" || tree.kind === "VAR_SET_DEFAULT") {
      this.searchSchema = DEFAULT_SCHEMA;
      return;
    }
    const first = ((tree.args as SqlNode[] | undefined) ?? [])
      .map((arg) => ((arg.A_Const as SqlNode | undefined)?.sval as { sval?: string } | undefined)?.sval)
      .find((schema) => schema !== undefined && schema !== "$user");
    if (first) this.searchSchema = first;
  }

  private alterTable(tree: SqlNode): void {
    const columns = this.tables.get(this.relationKey(tree.relation as SqlNode | undefined) ?? "");
    for (const item of (tree.cmds as SqlNode[] | undefined) ?? []) {
      const cmd = item.AlterTableCmd as SqlNode;
      const def = (cmd.def as SqlNode | undefined)?.ColumnDef as SqlNode | undefined;
      if (cmd.subtype === "AT_AddColumn" && def) columns?.set(String(def.colname), typeOf(def.typeName as SqlNode));
      if (cmd.subtype === "AT_AlterColumnType" && def) columns?.set(String(cmd.name), typeOf(def.typeName as SqlNode));
      if (cmd.subtype === "AT_DropColumn") columns?.delete(String(cmd.name));
    }
  }

  private rename(tree: SqlNode): void {
    const key = this.relationKey(tree.relation as SqlNode | undefined);
    const columns = key === undefined ? undefined : this.tables.get(key);
    if (!key || !columns) return;
    if (tree.renameType === "OBJECT_TABLE") {
      this.tables.delete(key);
      this.tables.set(`${key.slice(0, key.lastIndexOf("."))}.${String(tree.newname)}`, columns);
    } else if (tree.renameType === "OBJECT_COLUMN") {
      const type = columns.get(String(tree.subname));
      if (type) {
        columns.delete(String(tree.subname));
        columns.set(String(tree.newname), type);
      }
    }
  }

  private moveTable(tree: SqlNode): void {
    const key = this.relationKey(tree.relation as SqlNode | undefined);
    const columns = key === undefined ? undefined : this.tables.get(key);
    if (!key || !columns || typeof tree.newschema !== "string") return;
    this.tables.delete(key);
    this.tables.set(`${tree.newschema}.${key.slice(key.lastIndexOf(".") + 1)}`, columns);
  }

  private drop(tree: SqlNode): void {
    if (tree.removeType === "OBJECT_TABLE") {
      for (const name of droppedNames(tree)) this.tables.delete(this.resolve(name));
    } else if (tree.removeType === "OBJECT_SCHEMA") {
      for (const schema of droppedNames(tree)) {
        for (const key of [...this.tables.keys()]) if (key.startsWith(`${schema}.`)) this.tables.delete(key);
      }
    }
  }
}

/**
 * The names a DROP statement names, as written (`app.posts`, `posts`, `app` for a schema,
 * `f` for a function); a policy's or trigger's is `table.name`.
 */
export function droppedNames(tree: SqlNode): string[] {
  return ((tree.objects as SqlNode[] | undefined) ?? []).map((object) => {
    if (object.String) return String((object.String as SqlNode).sval);
    if (object.List) return names((object.List as SqlNode).items).join(".");
    if (object.TypeName) return names((object.TypeName as SqlNode).names).join(".");
    if (object.ObjectWithArgs) return names((object.ObjectWithArgs as SqlNode).objname).join(".");
    return "?";
  });
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
/** Decimal digits of the largest value of each integer type: a numeric with as many before the point holds it. */
const INTEGER_DIGITS: Record<string, number> = { int2: 5, int4: 10, int8: 19 };
/** Bits of mantissa of each float type: an integer fits exactly when its width fits them. */
const FLOAT_MANTISSA_BITS: Record<string, number> = { float4: 24, float8: 53 };
const CHARACTER_TYPES = new Set(["varchar", "bpchar", "text"]);
/** Types every value of which has a text form that casts back to the same value. */
const TEXT_SAFE = new Set(["uuid", "int2", "int4", "int8", "numeric", "bool", "date", "inet", "cidr", "macaddr"]);

/**
 * True when every value of `from` fits `to` unchanged: integers to wider integers, to numeric with
 * enough digits, or to a float whose mantissa holds them (int2/int4 to float8, int2 to float4);
 * varchar to a longer varchar or text; uuid and other types with an exact text form to text;
 * numeric to a numeric with as many digits on each side of the point; float4 to float8;
 * timestamp to timestamptz; and the same type with the same modifiers.
 */
export function widens(from: ColumnType, to: ColumnType): boolean {
  if (typeText(from) === typeText(to)) return true;
  if (from.name in INTEGER_WIDTH) {
    if (to.name in INTEGER_WIDTH) return INTEGER_WIDTH[to.name] >= INTEGER_WIDTH[from.name];
    if (to.name in FLOAT_MANTISSA_BITS) return INTEGER_WIDTH[from.name] * 8 - 1 <= FLOAT_MANTISSA_BITS[to.name];
    if (to.name === "numeric")
      return to.mods.length === 0 || to.mods[0] - (to.mods[1] ?? 0) >= INTEGER_DIGITS[from.name];
  }
  if (to.name === "text" && (CHARACTER_TYPES.has(from.name) || TEXT_SAFE.has(from.name))) return from.name !== "bpchar";
  if (from.name === "varchar" && CHARACTER_TYPES.has(to.name)) {
    if (to.mods.length === 0) return to.name !== "bpchar";
    return to.name === "varchar" && from.mods.length > 0 && to.mods[0] >= from.mods[0];
  }
  if (from.name === "numeric" && to.name === "numeric") {
    if (to.mods.length === 0) return true;
    if (from.mods.length === 0) return false;
    const [p1, s1 = 0] = from.mods;
    const [p2, s2 = 0] = to.mods;
    return s2 >= s1 && p2 - s2 >= p1 - s1;
  }
  // Every timestamp has a timestamptz (read in the session's TimeZone, which the engine does not
  // change); squawk's prefer-timestamp-tz asks for exactly this change. Fractional digits must not shrink.
  if (from.name === "timestamp" && to.name === "timestamptz")
    return to.mods.length === 0 || (from.mods.length > 0 && to.mods[0] >= from.mods[0]);
  return from.name === "float4" && to.name === "float8";
}
