/**
 * Destructive changes: they lose data, or break the running application's queries, or fail on a
 * table that has rows. Errors unless waived (`-- dbmigrate:allow RULE reason`), so a reviewer sees
 * the reason. A table created earlier in the same migration holds no data and is exempt.
 */
import type { SqlNode, Statement } from "../sql/parse";
import type { Hit, Rule } from "./rule";
import { typeOf, typeText, widens, type SchemaModel } from "./schema-model";
import { locationOf, names, relationName } from "./tree";

/** The ALTER TABLE subcommands of `statement` on a table that is not new, with the table's name. */
function alterCommands(statement: Statement, schema: SchemaModel, subtype: string): { table: string; cmd: SqlNode }[] {
  if (statement.kind !== "AlterTableStmt" || statement.tree.objtype !== "OBJECT_TABLE") return [];
  const table = relationName(statement.tree) ?? "?";
  if (schema.isNew(table)) return [];
  return ((statement.tree.cmds as SqlNode[] | undefined) ?? [])
    .map((item) => item.AlterTableCmd as SqlNode)
    .filter((cmd) => cmd.subtype === subtype)
    .map((cmd) => ({ table, cmd }));
}

function columnDefOf(cmd: SqlNode): SqlNode | undefined {
  return (cmd.def as SqlNode | undefined)?.ColumnDef as SqlNode | undefined;
}

function dropped(statement: Statement, schema: SchemaModel, removeType: string): string[] {
  if (statement.kind !== "DropStmt" || statement.tree.removeType !== removeType) return [];
  return ((statement.tree.objects as SqlNode[] | undefined) ?? [])
    .map((object) => names((object.List as SqlNode | undefined)?.items).join("."))
    .filter((name) => !schema.isNew(name.split(".").pop()?.toLowerCase()));
}

export const DESTRUCTIVE_RULES: Rule[] = [
  {
    id: "drop-table",
    severity: "error",
    summary: "DROP TABLE",
    fix: "Stop using the table first (a release before), keep a backup, then waive: -- dbmigrate:allow drop-table <why it is safe>",
    check: (s, schema) => dropped(s, schema, "OBJECT_TABLE").map((t) => ({ message: `drops table ${t} and its data` })),
  },
  {
    id: "drop-column",
    severity: "error",
    summary: "ALTER TABLE ... DROP COLUMN",
    fix: "Stop reading and writing the column in a release before, then waive: -- dbmigrate:allow drop-column <why it is safe>",
    check: (s, schema) =>
      alterCommands(s, schema, "AT_DropColumn").map(({ table, cmd }) => ({
        message: `drops column ${table}.${String(cmd.name)} and its data`,
      })),
  },
  {
    id: "drop-index",
    severity: "error",
    summary: "DROP INDEX",
    fix: "Find the queries it serves (pg_stat_user_indexes.idx_scan, the code) and check they have another index, then waive with that reason",
    check: (s, schema) =>
      dropped(s, schema, "OBJECT_INDEX").map((i) => ({
        message: `drops index ${i}; the queries it serves get slower`,
      })),
  },
  {
    id: "drop-constraint",
    severity: "error",
    summary: "ALTER TABLE ... DROP CONSTRAINT",
    fix: "Make sure nothing relies on the rule it enforced (tenancy, uniqueness), then waive with that reason",
    check: (s, schema) =>
      alterCommands(s, schema, "AT_DropConstraint").map(({ table, cmd }) => ({
        message: `drops constraint ${String(cmd.name)} on ${table}`,
      })),
  },
  {
    id: "narrowing-type-change",
    severity: "error",
    summary: "ALTER COLUMN ... TYPE that may not hold every existing value",
    fix: "Add a new column of the new type, copy and check the data, then switch readers; or widen instead",
    check: (s, schema) =>
      alterCommands(s, schema, "AT_AlterColumnType").flatMap(({ table, cmd }): Hit[] => {
        const column = String(cmd.name);
        const def = columnDefOf(cmd);
        const to = typeOf(def?.typeName as SqlNode | undefined);
        const from = schema.columnType(table, column);
        if (from && widens(from, to)) return [];
        return [
          {
            message: from
              ? `changes ${table}.${column} from ${typeText(from)} to ${typeText(to)}, which may not hold every value`
              : `changes ${table}.${column} to ${typeText(to)}; its current type is not known from the migrations, so it may narrow`,
            at: locationOf(def),
          },
        ];
      }),
  },
  {
    id: "rename",
    severity: "error",
    summary: "RENAME of a table or column",
    fix: "Add the new name beside the old one and move readers over in steps; a rename breaks the running application at once",
    check: (s, schema) => {
      if (s.kind !== "RenameStmt") return [];
      const table = relationName(s.tree);
      if (schema.isNew(table)) return [];
      if (s.tree.renameType === "OBJECT_TABLE")
        return [{ message: `renames table ${table} to ${String(s.tree.newname)}` }];
      if (s.tree.renameType === "OBJECT_COLUMN")
        return [{ message: `renames column ${table}.${String(s.tree.subname)} to ${String(s.tree.newname)}` }];
      return [];
    },
  },
  {
    id: "set-not-null",
    severity: "error",
    summary: "ALTER COLUMN ... SET NOT NULL on an existing table",
    fix: "Fill the column first and prove it (a CHECK (col IS NOT NULL) NOT VALID, then VALIDATE), then waive with that reason",
    check: (s, schema) =>
      alterCommands(s, schema, "AT_SetNotNull").map(({ table, cmd }) => ({
        message: `sets ${table}.${String(cmd.name)} NOT NULL; it fails on any NULL row and scans the table`,
      })),
  },
  {
    id: "not-null-column-without-default",
    severity: "error",
    summary: "ADD COLUMN ... NOT NULL without a DEFAULT on an existing table",
    fix: "Give it a DEFAULT, or add it NULL, fill it, then SET NOT NULL in a later migration",
    check: (s, schema) =>
      alterCommands(s, schema, "AT_AddColumn").flatMap(({ table, cmd }): Hit[] => {
        const def = columnDefOf(cmd);
        const kinds = ((def?.constraints as SqlNode[] | undefined) ?? []).map((c) => (c.Constraint as SqlNode).contype);
        const notNull = kinds.includes("CONSTR_NOTNULL") || kinds.includes("CONSTR_PRIMARY");
        const filled = kinds.some((k) => k === "CONSTR_DEFAULT" || k === "CONSTR_IDENTITY" || k === "CONSTR_GENERATED");
        return notNull && !filled
          ? [
              {
                message: `adds NOT NULL column ${table}.${String(def?.colname)} without a default; it fails on a table with rows`,
                at: locationOf(def),
              },
            ]
          : [];
      }),
  },
];
