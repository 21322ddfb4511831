/**
 * The CockroachDB subset: what the engine's CockroachDB path (CockroachDB 23.2+) cannot run, or
 * runs differently enough to break a migration written for PostgreSQL. Errors, except the index
 * backfill warning.
 */
import { transactionControlOf } from "../sql/transaction-control";
import type { Hit, Rule } from "./rule";
import { locationOf, names, nodesOf, relationName, walk } from "./tree";
import type { SqlNode } from "../sql/parse";

const SERIAL_TYPES = new Set(["serial", "serial2", "serial4", "serial8", "smallserial", "bigserial"]);
const SEQUENCE_FUNCTIONS = new Set(["nextval", "currval", "setval", "lastval"]);

/** Statement kinds CockroachDB has no equivalent for, with the name people know them by. */
const UNSUPPORTED_STATEMENTS: Record<string, string> = {
  CreateDomainStmt: "CREATE DOMAIN",
  AlterDomainStmt: "ALTER DOMAIN",
  RuleStmt: "CREATE RULE",
  CreateTableSpaceStmt: "CREATE TABLESPACE",
  CreateFdwStmt: "foreign data wrappers",
  CreateForeignServerStmt: "CREATE SERVER",
  CreateForeignTableStmt: "CREATE FOREIGN TABLE",
  CreateUserMappingStmt: "CREATE USER MAPPING",
  ImportForeignSchemaStmt: "IMPORT FOREIGN SCHEMA",
  CreatePLangStmt: "CREATE LANGUAGE",
  CreateConversionStmt: "CREATE CONVERSION",
  CreateCastStmt: "CREATE CAST",
  CreateOpClassStmt: "CREATE OPERATOR CLASS",
  CreateOpFamilyStmt: "CREATE OPERATOR FAMILY",
  DefineStmt: "CREATE AGGREGATE/OPERATOR/COLLATION/TEXT SEARCH",
  CreatePublicationStmt: "CREATE PUBLICATION",
  CreateSubscriptionStmt: "CREATE SUBSCRIPTION",
  AlterSystemStmt: "ALTER SYSTEM",
  ClusterStmt: "CLUSTER",
  ReindexStmt: "REINDEX",
  ListenStmt: "LISTEN",
  NotifyStmt: "NOTIFY",
  CopyStmt: "COPY",
};

/** Index methods CockroachDB builds (gin is its inverted index). */
const INDEX_METHODS = new Set(["btree", "gin"]);

const statementIs =
  (...kinds: string[]) =>
  (kind: string): boolean =>
    kinds.includes(kind);

export const COCKROACHDB_RULES: Rule[] = [
  {
    id: "crdb-extension",
    severity: "error",
    summary: "CREATE/ALTER EXTENSION: CockroachDB has no extensions",
    fix: "Use what both engines have built in (gen_random_uuid() needs no extension)",
    check: (s) =>
      statementIs("CreateExtensionStmt", "AlterExtensionStmt", "AlterExtensionContentsStmt")(s.kind)
        ? [{ message: "extensions do not exist on CockroachDB" }]
        : [],
  },
  {
    id: "crdb-sequence",
    severity: "error",
    summary: "sequences, SERIAL types, identity columns and nextval()",
    fix: "Use a UUID key: id UUID NOT NULL DEFAULT gen_random_uuid() (a sequence is a write hotspot on CockroachDB)",
    check: (s) => {
      const hits: Hit[] = [];
      if (statementIs("CreateSeqStmt", "AlterSeqStmt")(s.kind)) hits.push({ message: "a sequence" });
      walk(s.tree, (type, node) => {
        if (type === "ColumnDef") {
          const typeName = names((node.typeName as SqlNode | undefined)?.names)
            .pop()
            ?.toLowerCase();
          if (typeName && SERIAL_TYPES.has(typeName))
            hits.push({
              message: `column ${String(node.colname)} is ${typeName.toUpperCase()} (a sequence)`,
              at: locationOf(node),
            });
        }
        if (type === "Constraint" && node.contype === "CONSTR_IDENTITY")
          hits.push({ message: "an identity column (a sequence)", at: locationOf(node) });
        if (type === "FuncCall") {
          const fn = names(node.funcname).pop()?.toLowerCase();
          if (fn && SEQUENCE_FUNCTIONS.has(fn))
            hits.push({ message: `${fn}() reads a sequence`, at: locationOf(node) });
        }
      });
      return hits;
    },
  },
  {
    id: "crdb-trigger",
    severity: "error",
    summary: "triggers and event triggers",
    fix: "Do the work in the application or in the migration itself; CockroachDB 23.2 has no triggers",
    check: (s) => (statementIs("CreateTrigStmt", "CreateEventTrigStmt")(s.kind) ? [{ message: "a trigger" }] : []),
  },
  {
    id: "crdb-procedural-code",
    severity: "error",
    summary: "functions, procedures, DO blocks and CALL",
    fix: "Write plain SQL statements; procedural code differs between the engines (PL/pgSQL on CockroachDB is partial)",
    check: (s) => {
      if (s.kind === "CreateFunctionStmt") return [{ message: s.tree.is_procedure ? "a procedure" : "a function" }];
      if (statementIs("DoStmt", "CallStmt")(s.kind))
        return [{ message: s.kind === "DoStmt" ? "a DO block" : "CALL of a procedure" }];
      return [];
    },
  },
  {
    id: "crdb-lock-table",
    severity: "error",
    summary: "LOCK TABLE",
    fix: "Remove it: CockroachDB has no LOCK TABLE; the engine's lock row already serialises migrations",
    check: (s) => (s.kind === "LockStmt" ? [{ message: "LOCK TABLE" }] : []),
  },
  {
    id: "crdb-deferrable",
    severity: "error",
    summary: "DEFERRABLE constraints and SET CONSTRAINTS",
    fix: "Make the constraint immediate and order the writes so it holds after each statement",
    check: (s) => {
      const hits: Hit[] = [];
      if (s.kind === "ConstraintsSetStmt") hits.push({ message: "SET CONSTRAINTS" });
      for (const c of nodesOf(s.tree, "Constraint")) {
        if (
          c.deferrable ||
          c.initdeferred ||
          c.contype === "CONSTR_ATTR_DEFERRABLE" ||
          c.contype === "CONSTR_ATTR_DEFERRED"
        ) {
          hits.push({ message: "a DEFERRABLE constraint", at: locationOf(c) });
        }
      }
      return hits;
    },
  },
  {
    id: "transaction-control",
    severity: "error",
    waivable: false,
    summary: "BEGIN, COMMIT, ROLLBACK, SAVEPOINT, SET TRANSACTION inside a migration",
    fix: "Remove it: the engine runs each migration in its own transaction (PostgreSQL) or statement by statement (CockroachDB)",
    check: (s) => {
      const control = transactionControlOf(s);
      return control ? [{ message: `${control} inside a migration; dbmigrate refuses to run it` }] : [];
    },
  },
  {
    id: "crdb-unsupported",
    severity: "error",
    summary:
      "statements and clauses CockroachDB cannot run (domains, rules, inheritance, partitions, exclusion constraints, ...)",
    fix: "Express it with tables, CHECK constraints and indexes that both engines accept",
    check: (s) => {
      const hits: Hit[] = [];
      const named = UNSUPPORTED_STATEMENTS[s.kind];
      if (named) hits.push({ message: `${named} is not supported by CockroachDB` });
      if (s.kind === "CreateStmt" && Array.isArray(s.tree.inhRelations) && s.tree.inhRelations.length > 0)
        hits.push({ message: "table inheritance (INHERITS)" });
      if (s.kind === "CreateStmt" && s.tree.partspec)
        hits.push({ message: "PostgreSQL declarative partitioning (PARTITION BY)" });
      if (s.kind === "CreateStmt" && s.tree.partbound) hits.push({ message: "PARTITION OF" });
      if (s.kind === "VacuumStmt" && s.tree.is_vacuumcmd) hits.push({ message: "VACUUM" });
      if (s.kind === "IndexStmt" && !INDEX_METHODS.has(String(s.tree.accessMethod ?? "btree"))) {
        hits.push({ message: `index method ${String(s.tree.accessMethod).toUpperCase()}` });
      }
      for (const c of nodesOf(s.tree, "Constraint")) {
        if (c.contype === "CONSTR_EXCLUSION") hits.push({ message: "an EXCLUDE constraint", at: locationOf(c) });
      }
      return hits;
    },
  },
  {
    id: "crdb-index-backfill",
    severity: "warning",
    summary: "CREATE INDEX on a table that already exists (a backfill)",
    fix: "Say how the backfill runs (table size, window; PostgreSQL blocks writes while it builds) in a waiver: -- dbmigrate:allow crdb-index-backfill <plan>",
    check: (s, schema) => {
      if (s.kind !== "IndexStmt") return [];
      const table = relationName(s.tree);
      return schema.isNew(table)
        ? []
        : [
            {
              message: `CREATE INDEX on existing table ${table} backfills every row`,
              at: locationOf(s.tree.relation as SqlNode),
            },
          ];
    },
  },
];
