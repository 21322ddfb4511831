/**
 * How a migration's statements reach the server: in one transaction (PostgreSQL's default: all or
 * nothing), or one statement at a time, each committing on its own, with progress recorded after
 * each (CockroachDB always, where DDL in a transaction is not atomic; and PostgreSQL for a file
 * holding a statement PostgreSQL refuses inside a transaction block, SQLSTATE 25001).
 *
 * The decision is made from the parsed file before anything runs, like Flyway (which runs such a
 * script outside a transaction) and Atlas (`-- atlas:txmode none`); a file may also opt in with
 * `-- dbmigrate:no-transaction`.
 */
import type { Engine } from "../dialect";
import type { SqlNode, Statement } from "../sql/parse";

/** `transaction`: the file and its history row commit together; `statements`: one at a time, resumable. */
export type ExecutionMode = "transaction" | "statements";

/** The header comment that opts a file out of the transaction on PostgreSQL. */
export const NO_TRANSACTION_DIRECTIVE = "dbmigrate:no-transaction";

/** Why a migration runs the way it does. */
export interface ModeDecision {
  mode: ExecutionMode;
  /** For `statements` on PostgreSQL: the statement that needs it and why, or the directive. */
  reason?: string;
  /** 1-based line of that statement. */
  line?: number;
}

/**
 * Why PostgreSQL cannot run `statement` inside a transaction block, or undefined when it can.
 * `later` are the statements after it in the same file (an enum value added is unusable until its
 * transaction commits: 55P04).
 */
export function outsideTransactionReason(statement: Statement, later: readonly Statement[] = []): string | undefined {
  const tree = statement.tree;
  switch (statement.kind) {
    case "IndexStmt":
      return tree.concurrent ? "CREATE INDEX CONCURRENTLY cannot run inside a transaction block" : undefined;
    case "DropStmt":
      return tree.concurrent ? "DROP INDEX CONCURRENTLY cannot run inside a transaction block" : undefined;
    case "ReindexStmt":
      return hasOption(tree, "concurrently") ? "REINDEX CONCURRENTLY cannot run inside a transaction block" : undefined;
    case "VacuumStmt":
      // ANALYZE alone may run in a transaction; VACUUM may not.
      return tree.is_vacuumcmd ? "VACUUM cannot run inside a transaction block" : undefined;
    case "AlterTableStmt":
      return detachesConcurrently(tree)
        ? "ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY cannot run inside a transaction block"
        : undefined;
    case "CreatedbStmt":
    case "DropdbStmt":
      return "CREATE/DROP DATABASE cannot run inside a transaction block";
    case "AlterSystemStmt":
      return "ALTER SYSTEM cannot run inside a transaction block";
    case "CreateTableSpaceStmt":
    case "DropTableSpaceStmt":
      return "CREATE/DROP TABLESPACE cannot run inside a transaction block";
    case "AlterEnumStmt": {
      const value = typeof tree.newVal === "string" ? tree.newVal : undefined;
      if (value === undefined) return undefined;
      const literal = `'${value.replace(/'/g, "''")}'`;
      const user = later.find((s) => s.sql.includes(literal));
      return user
        ? `ALTER TYPE ... ADD VALUE ${literal} is used by a later statement (line ${user.line}); a new enum value cannot be used before its transaction commits`
        : undefined;
    }
    default:
      return undefined;
  }
}

/** How `statements` run on `engine`. */
export function executionMode(engine: Engine, statements: readonly Statement[]): ModeDecision {
  if (engine === "cockroachdb") return { mode: "statements" };
  const directive = statements
    .flatMap((s) => s.comments)
    .find((c) => new RegExp(`^--\\s*${NO_TRANSACTION_DIRECTIVE}\\s*$`).test(c.text));
  if (directive)
    return { mode: "statements", reason: `the file says -- ${NO_TRANSACTION_DIRECTIVE}`, line: directive.line };
  for (const [index, statement] of statements.entries()) {
    const reason = outsideTransactionReason(statement, statements.slice(index + 1));
    if (reason) return { mode: "statements", reason, line: statement.line };
  }
  return { mode: "transaction" };
}

function hasOption(tree: SqlNode, name: string): boolean {
  const params = (tree.params ?? []) as { DefElem?: { defname?: string } }[];
  return params.some((p) => p.DefElem?.defname === name);
}

function detachesConcurrently(tree: SqlNode): boolean {
  const cmds = (tree.cmds ?? []) as { AlterTableCmd?: { subtype?: string; def?: { PartitionCmd?: SqlNode } } }[];
  return cmds.some(
    (c) => c.AlterTableCmd?.subtype === "AT_DetachPartition" && Boolean(c.AlterTableCmd.def?.PartitionCmd?.concurrent),
  );
}
