/**
 * Destructive changes: they lose data, open data to everyone, or break the running application's
 * queries, or fail on a table that has rows. Errors unless waived (`-- dbmigrate:allow RULE
 * reason`), so a reviewer sees the reason. Objects created earlier in the same migration (or in a
 * schema it created) and temporary tables hold nothing yet and are exempt.
 */
import type { SqlNode, Statement } from "../sql/parse";
import type { Hit, Rule } from "./rule";
import { droppedNames, typeOf, typeText, widens, type SchemaModel } from "./schema-model";
import { locationOf, qualifiedName, relationName } from "./tree";

/** The ALTER TABLE subcommands of `statement` on a table that is not new, with the table's name. */
function alterCommands(statement: Statement, schema: SchemaModel, subtype: string): { table: string; cmd: SqlNode }[] {
  if (statement.kind !== "AlterTableStmt" || statement.tree.objtype !== "OBJECT_TABLE") return [];
  const table = relationName(statement.tree) ?? "?";
  if (schema.isNew(table)) return [];
  return commandsOf(statement, subtype).map((cmd) => ({ table, cmd }));
}

/** The ALTER TABLE subcommands of `statement` of one subtype. */
function commandsOf(statement: Statement, subtype: string): SqlNode[] {
  if (statement.kind !== "AlterTableStmt") return [];
  return ((statement.tree.cmds as SqlNode[] | undefined) ?? [])
    .map((item) => item.AlterTableCmd as SqlNode)
    .filter((cmd) => cmd.subtype === subtype);
}

function columnDefOf(cmd: SqlNode): SqlNode | undefined {
  return (cmd.def as SqlNode | undefined)?.ColumnDef as SqlNode | undefined;
}

/** What `statement` drops of `removeType` that existed before this migration. */
function dropped(statement: Statement, schema: SchemaModel, removeType: string): string[] {
  if (statement.kind !== "DropStmt" || statement.tree.removeType !== removeType) return [];
  const isNew = removeType === "OBJECT_SCHEMA" ? schema.isNewSchema.bind(schema) : schema.isNew.bind(schema);
  return droppedNames(statement.tree).filter((name) => !isNew(name));
}

/** A DELETE or UPDATE of an existing table without a WHERE clause. */
function everyRow(statement: Statement, schema: SchemaModel, kind: string): string[] {
  if (statement.kind !== kind || statement.tree.whereClause !== undefined) return [];
  const table = relationName(statement.tree);
  return table === undefined || schema.isNew(table) ? [] : [table];
}

function cascade(statement: Statement): boolean {
  return statement.tree.behavior === "DROP_CASCADE";
}

/** Rules for statements that lose data or break readers (errors unless waived with a reason). */
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
        const constraints = ((def?.constraints as SqlNode[] | undefined) ?? []).map((c) => c.Constraint as SqlNode);
        const kinds = constraints.map((c) => c.contype);
        const notNull = kinds.includes("CONSTR_NOTNULL") || kinds.includes("CONSTR_PRIMARY");
        // DEFAULT NULL fills nothing: NOT NULL DEFAULT NULL fails on the first row like no default.
        const nullDefault = constraints.some(
          (c) => c.contype === "CONSTR_DEFAULT" && (c.raw_expr as { A_Const?: SqlNode } | undefined)?.A_Const?.isnull,
        );
        const filled =
          !nullDefault &&
          kinds.some((k) => k === "CONSTR_DEFAULT" || k === "CONSTR_IDENTITY" || k === "CONSTR_GENERATED");
        const what = nullDefault ? "with DEFAULT NULL" : "without a default";
        return notNull && !filled
          ? [
              {
                message: `adds NOT NULL column ${table}.${String(def?.colname)} ${what}; it fails on a table with rows`,
                at: locationOf(def),
              },
            ]
          : [];
      }),
  },
  {
    id: "drop-schema",
    severity: "error",
    summary: "DROP SCHEMA",
    fix: "Move or drop what is in it one object at a time, each with its own reason; or waive: -- dbmigrate:allow drop-schema <why it is safe>",
    check: (s, schema) =>
      dropped(s, schema, "OBJECT_SCHEMA").map((name) => ({
        message: `drops schema ${name}${cascade(s) ? " and everything in it" : ""}`,
      })),
  },
  {
    id: "drop-cascade",
    severity: "error",
    summary: "DROP ... CASCADE (also ALTER TABLE ... DROP COLUMN/CONSTRAINT ... CASCADE)",
    fix: "Drop the dependent objects by name first (each visible in review), then drop without CASCADE",
    check: (s, schema) => {
      const inAlter = ["AT_DropColumn", "AT_DropConstraint"].flatMap((subtype) => alterCommands(s, schema, subtype));
      const alterHits = inAlter
        .filter(({ cmd }) => cmd.behavior === "DROP_CASCADE")
        .map(({ table, cmd }) => ({
          message: `CASCADE also drops whatever depends on ${table}.${String(cmd.name)} (views, foreign keys, ...), unnamed`,
        }));
      if (s.kind !== "DropStmt" || !cascade(s)) return alterHits;
      const existing = dropped(s, schema, String(s.tree.removeType));
      return existing.length === 0
        ? []
        : [
            {
              message: `CASCADE also drops whatever depends on ${existing.join(", ")} (views, foreign keys, ...), unnamed`,
            },
          ];
    },
  },
  {
    id: "truncate",
    severity: "error",
    summary: "TRUNCATE",
    fix: "Delete what must go with a WHERE clause, or waive with the reason the rows may go: -- dbmigrate:allow truncate <why>",
    check: (s, schema) =>
      s.kind === "TruncateStmt"
        ? ((s.tree.relations as SqlNode[] | undefined) ?? [])
            .map((r) => r.RangeVar as SqlNode)
            .filter((r) => !schema.isNew(qualifiedName(r)))
            .map((r) => ({ message: `empties table ${qualifiedName(r) ?? "?"}`, at: locationOf(r) }))
        : [],
  },
  {
    id: "delete-without-where",
    severity: "error",
    summary: "DELETE without WHERE",
    fix: "Add the WHERE clause that names the rows to delete, or waive with why every row goes",
    check: (s, schema) => everyRow(s, schema, "DeleteStmt").map((t) => ({ message: `deletes every row of ${t}` })),
  },
  {
    id: "update-without-where",
    severity: "error",
    summary: "UPDATE without WHERE",
    fix: "Add the WHERE clause that names the rows to change (e.g. WHERE col IS NULL for a backfill), or waive with why every row changes",
    check: (s, schema) =>
      everyRow(s, schema, "UpdateStmt").map((t) => ({ message: `updates every row of ${t} (and locks them all)` })),
  },
  {
    id: "drop-policy",
    severity: "error",
    summary: "DROP POLICY",
    fix: "Create the replacement policy first (CREATE POLICY, or ALTER POLICY in place), then waive with that reason",
    check: (s, schema) =>
      s.kind === "DropStmt" && s.tree.removeType === "OBJECT_POLICY"
        ? droppedNames(s.tree)
            .map((name) => ({
              table: name.slice(0, name.lastIndexOf(".")),
              policy: name.slice(name.lastIndexOf(".") + 1),
            }))
            .filter(({ table }) => !schema.isNew(table))
            .map(({ table, policy }) => ({
              message: `drops row-level security policy ${policy} on ${table}; rows it guarded may show to every role`,
            }))
        : [],
  },
  {
    id: "disable-row-level-security",
    severity: "error",
    summary: "ALTER TABLE ... DISABLE (or NO FORCE) ROW LEVEL SECURITY",
    fix: "Keep row-level security on and change the policies instead; or waive with why every role may see every row",
    check: (s, schema) => {
      const table = relationName(s.tree);
      if (schema.isNew(table)) return [];
      return [...commandsOf(s, "AT_DisableRowSecurity"), ...commandsOf(s, "AT_NoForceRowSecurity")].map((cmd) => ({
        message:
          cmd.subtype === "AT_DisableRowSecurity"
            ? `disables row-level security on ${table ?? "?"}: its policies stop applying`
            : `stops forcing row-level security on ${table ?? "?"}: its owner bypasses the policies`,
      }));
    },
  },
  {
    id: "set-schema",
    severity: "error",
    summary: "ALTER ... SET SCHEMA",
    fix: "Create the object in its new schema beside the old one and move readers in steps, or waive with why nothing names the old schema",
    check: (s, schema) => {
      if (s.kind !== "AlterObjectSchemaStmt") return [];
      const name =
        qualifiedName(s.tree.relation as SqlNode | undefined) ?? droppedNames({ objects: [s.tree.object] })[0];
      if (schema.isNew(name)) return [];
      return [
        {
          message: `moves ${String(s.tree.objectType)
            .replace(/^OBJECT_/, "")
            .toLowerCase()} ${name} to schema ${String(s.tree.newschema)}; queries naming it by its old schema break`,
        },
      ];
    },
  },
  {
    id: "grant-to-public",
    severity: "error",
    summary: "GRANT ... TO PUBLIC",
    fix: "Grant to the role that needs it, not PUBLIC (every role, present and future)",
    check: (s) =>
      s.kind === "GrantStmt" && s.tree.is_grant
        ? ((s.tree.grantees as SqlNode[] | undefined) ?? [])
            .map((g) => g.RoleSpec as SqlNode)
            .filter((role) => role.roletype === "ROLESPEC_PUBLIC")
            .map((role) => ({
              message: "grants to PUBLIC: every role, present and future, gets it",
              at: locationOf(role),
            }))
        : [],
  },
];
