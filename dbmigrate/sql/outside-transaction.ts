/**
 * Statements PostgreSQL refuses inside a transaction block (SQLSTATE 25001), found from the
 * syntax tree. A file holding one cannot run in the one transaction the PostgreSQL path wraps a
 * migration in; the engine runs such a file outside a transaction, statement by statement (as
 * Atlas and Flyway do), and lint says so. Sources: the PostgreSQL 15 reference pages of each
 * command ("cannot be executed inside a transaction block").
 */
import type { SqlNode } from "./parse";

/** What a check needs of a statement. */
interface StatementTree {
  kind: string;
  tree: SqlNode;
}

/** A DefElem list holds `name` (e.g. `(CONCURRENTLY)`), without an explicit false. */
function hasOption(list: unknown, name: string): boolean {
  if (!Array.isArray(list)) return false;
  return list.some((item) => {
    const def = (item as { DefElem?: SqlNode }).DefElem;
    if (def?.defname !== name) return false;
    const arg = def.arg as { String?: { sval?: string }; Boolean?: { boolval?: boolean } } | undefined;
    const value = arg?.String?.sval ?? (arg?.Boolean ? String(arg.Boolean.boolval ?? false) : undefined);
    return value === undefined || !["false", "off", "0"].includes(value.toLowerCase());
  });
}

/** One check per node type: the command's name when that statement cannot run in a transaction. */
const CHECKS: Record<string, (tree: SqlNode) => string | undefined> = {
  IndexStmt: (t) => (t.concurrent ? "CREATE INDEX CONCURRENTLY" : undefined),
  DropStmt: (t) => (t.concurrent ? "DROP INDEX CONCURRENTLY" : undefined),
  ReindexStmt: (t) => {
    if (hasOption(t.params, "concurrently")) return "REINDEX CONCURRENTLY";
    if (t.kind === "REINDEX_OBJECT_DATABASE" || t.kind === "REINDEX_OBJECT_SYSTEM") return "REINDEX DATABASE/SYSTEM";
    return undefined;
  },
  // ANALYZE alone (no VACUUM) may run in a transaction.
  VacuumStmt: (t) => (t.is_vacuumcmd ? "VACUUM" : undefined),
  ClusterStmt: (t) => (t.relation ? undefined : "CLUSTER without a table"),
  CreatedbStmt: () => "CREATE DATABASE",
  DropdbStmt: () => "DROP DATABASE",
  AlterSystemStmt: () => "ALTER SYSTEM",
  CreateTableSpaceStmt: () => "CREATE TABLESPACE",
  DropTableSpaceStmt: () => "DROP TABLESPACE",
  DiscardStmt: (t) => (t.target === "DISCARD_ALL" ? "DISCARD ALL" : undefined),
  // create_slot defaults to true, and creating a slot cannot run in a transaction.
  CreateSubscriptionStmt: (t) =>
    hasDefElem(t.options, "create_slot") && !hasOption(t.options, "create_slot")
      ? undefined
      : "CREATE SUBSCRIPTION (it creates a replication slot)",
  DropSubscriptionStmt: () => "DROP SUBSCRIPTION (it drops its replication slot)",
  AlterTableStmt: (t) =>
    Array.isArray(t.cmds) &&
    t.cmds.some((c) => {
      const cmd = (c as { AlterTableCmd?: SqlNode }).AlterTableCmd;
      const partition = (cmd?.def as { PartitionCmd?: SqlNode } | undefined)?.PartitionCmd;
      return cmd?.subtype === "AT_DetachPartition" && partition?.concurrent === true;
    })
      ? "ALTER TABLE … DETACH PARTITION … CONCURRENTLY"
      : undefined,
};

function hasDefElem(list: unknown, name: string): boolean {
  return Array.isArray(list) && list.some((item) => (item as { DefElem?: SqlNode }).DefElem?.defname === name);
}

/**
 * Why `statement` cannot run inside a transaction block (the command, e.g. `"CREATE INDEX
 * CONCURRENTLY"`), or undefined when it can.
 */
export function outsideTransactionReason(statement: StatementTree): string | undefined {
  return CHECKS[statement.kind]?.(statement.tree);
}

/**
 * `ALTER TYPE … ADD VALUE` runs in a transaction since PostgreSQL 12, but the new value cannot be
 * used before that transaction commits (55P04 "unsafe use of new value"). It matters when a later
 * statement of the same file names the new value as a string constant: then the file must run
 * statement by statement, each committed before the next.
 */
export function enumValueUsedLater(statements: StatementTree[], index: number): string | undefined {
  const statement = statements[index];
  if (statement.kind !== "AlterEnumStmt" || typeof statement.tree.newVal !== "string") return undefined;
  if (statement.tree.oldVal !== undefined) return undefined; // RENAME VALUE
  const value = statement.tree.newVal;
  const usedLater = statements.slice(index + 1).some((later) => holdsString(later.tree, value));
  return usedLater ? `ALTER TYPE … ADD VALUE '${value}' (a later statement uses the new value)` : undefined;
}

function holdsString(root: unknown, value: string): boolean {
  if (Array.isArray(root)) return root.some((item) => holdsString(item, value));
  if (root === null || typeof root !== "object") return false;
  const constant = (root as { A_Const?: { sval?: { sval?: string } } }).A_Const;
  if (constant?.sval?.sval === value) return true;
  return Object.values(root).some((child) => holdsString(child, value));
}
