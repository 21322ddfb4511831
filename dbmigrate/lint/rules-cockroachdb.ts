/**
 * What CockroachDB's parser cannot know. Whether CockroachDB accepts a statement at all is
 * CockroachDB's own grammar's verdict (dbmigrate/sql/cockroachdb-grammar.ts: `crdb-syntax`,
 * `crdb-unsupported`, `crdb-version`); the rules here cover semantics, hotspots, backfills, and
 * features whose arrival CockroachDB documents, each stating the version it is about. Every version
 * fact cites the page it comes from.
 */
import { COCKROACHDB_FEATURE_SINCE } from "../dialect";
import { hasVersion, formatVersion, type CockroachdbVersion } from "../sql/cockroachdb-version";
import type { Statement } from "../sql/parse";
import { transactionControlOf } from "../sql/transaction-control";
import type { Hit, Rule, RuleContext } from "./rule";
import { locationOf, names, relationName, walk } from "./tree";
import type { SqlNode } from "../sql/parse";

/** When CockroachDB got row-level security: the engine's feature gate and this rule agree on it. */
const ROW_LEVEL_SECURITY_SINCE: CockroachdbVersion = COCKROACHDB_FEATURE_SINCE.row_level_security ?? [0, 0];

const SERIAL_TYPES = new Set(["serial", "serial2", "serial4", "serial8", "smallserial", "bigserial"]);
const SEQUENCE_FUNCTIONS = new Set(["nextval", "currval", "setval", "lastval"]);

/** A statement kind that arrived in a CockroachDB version, from that version's documentation. */
interface VersionedFeature {
  id: string;
  /** What people call it. */
  feature: string;
  since: CockroachdbVersion;
  /** Where CockroachDB documents it. */
  source: string;
  /** The `dbmigrate:requires` feature that gates a file on it, when the engine has one. */
  gate?: string;
  matches(statement: Pick<Statement, "kind" | "tree">): boolean;
}

/**
 * Features the oldest supported CockroachDB may lack. Each is an error naming the version that
 * has it while the declared version is older, and silent from that version on.
 */
const VERSIONED_FEATURES: VersionedFeature[] = [
  {
    // Triggers arrived in CockroachDB 24.3: its known-limitations page opens with "New limitations
    // in v24.3: Triggers" (https://www.cockroachlabs.com/docs/v24.3/known-limitations; the feature:
    // https://www.cockroachlabs.com/docs/v24.3/triggers), while the 23.2 PostgreSQL-compatibility
    // page lists triggers as unsupported (https://www.cockroachlabs.com/docs/v23.2/postgresql-compatibility).
    id: "crdb-trigger",
    feature: "triggers (CREATE TRIGGER)",
    since: [24, 3],
    source: "https://www.cockroachlabs.com/docs/v24.3/triggers",
    matches: (s) => s.kind === "CreateTrigStmt",
  },
  {
    // Row-level security arrived in CockroachDB 25.2
    // (https://www.cockroachlabs.com/docs/v25.2/row-level-security); the engine gates it with
    // `-- dbmigrate:requires row_level_security`, whose version is declared once, in dialect.ts.
    id: "crdb-row-level-security",
    feature: "row-level security (CREATE POLICY, ENABLE ROW LEVEL SECURITY)",
    since: ROW_LEVEL_SECURITY_SINCE,
    source: "https://www.cockroachlabs.com/docs/v25.2/row-level-security",
    gate: "row_level_security",
    matches: (s) =>
      s.kind === "CreatePolicyStmt" ||
      s.kind === "AlterPolicyStmt" ||
      (s.kind === "AlterTableStmt" &&
        JSON.stringify(s.tree.cmds ?? []).match(/"AT_(Enable|Disable|Force|NoForce)RowSecurity"/) !== null),
  },
];

/** True when a versioned rule speaks for `statement` (its grammar version gap is then left to it). */
export function coveredByVersionRule(statement: Pick<Statement, "kind" | "tree">): boolean {
  return VERSIONED_FEATURES.some((f) => f.matches(statement));
}

function versionedRule(f: VersionedFeature): Rule {
  return {
    id: f.id,
    severity: "error",
    summary: `${f.feature}: CockroachDB ${formatVersion(f.since)}+ (${f.source})`,
    fix: f.gate
      ? `Head the file with -- dbmigrate:requires ${f.gate}: it then waits for clusters at CockroachDB ${formatVersion(f.since)}+`
      : `Keep it out of migrations until every cluster runs CockroachDB ${formatVersion(f.since)}, then raise the oldest supported version (--cockroachdb-version ${formatVersion(f.since)})`,
    check: (s, _schema, context?: RuleContext) =>
      f.matches(s) && context && !hasVersion(context.cockroachdbVersion, f.since)
        ? [
            {
              message: `${f.feature} need CockroachDB ${formatVersion(f.since)}+; the oldest CockroachDB this migration meets is ${formatVersion(context.cockroachdbVersion)}`,
            },
          ]
        : [],
  };
}

/** The hand-written CockroachDB rules: extensions, sequence hotspots, backfills and the versioned features above. */
export const COCKROACHDB_RULES: Rule[] = [
  {
    // CockroachDB's grammar accepts CREATE EXTENSION, but CockroachDB installs no PostgreSQL
    // extension: what an extension brings is either built in or missing
    // (https://www.cockroachlabs.com/docs/v23.2/postgresql-compatibility). Any version.
    id: "crdb-extension",
    severity: "error",
    summary: "CREATE/ALTER EXTENSION: CockroachDB (any version) installs no PostgreSQL extension",
    fix: "Use what both engines have built in (gen_random_uuid() needs no extension)",
    check: (s) =>
      ["CreateExtensionStmt", "AlterExtensionStmt", "AlterExtensionContentsStmt"].includes(s.kind)
        ? [{ message: "extensions are not installed on CockroachDB" }]
        : [],
  },
  {
    // Sequences exist on every CockroachDB version, but every nextval is a replicated write and
    // sequential keys concentrate writes on one range: a hotspot. CockroachDB recommends
    // gen_random_uuid() instead (https://www.cockroachlabs.com/docs/v23.2/create-sequence,
    // "Considerations"; https://www.cockroachlabs.com/docs/v23.2/performance-best-practices-overview#unique-id-best-practices).
    id: "crdb-sequence",
    severity: "warning",
    summary: "sequences, SERIAL types, identity columns and nextval(): a write hotspot on CockroachDB (any version)",
    fix: "Use a UUID key: id UUID NOT NULL DEFAULT gen_random_uuid(); if the order matters, index it hash-sharded (USING HASH, in a -- dbmigrate:requires cockroachdb file)",
    check: (s) => {
      const hits: Hit[] = [];
      if (s.kind === "CreateSeqStmt" || s.kind === "AlterSeqStmt") hits.push({ message: "a sequence (a hotspot)" });
      walk(s.tree, (type, node) => {
        if (type === "ColumnDef") {
          const typeName = names((node.typeName as SqlNode | undefined)?.names)
            .pop()
            ?.toLowerCase();
          if (typeName && SERIAL_TYPES.has(typeName))
            hits.push({
              message: `column ${String(node.colname)} is ${typeName.toUpperCase()} (a sequence: a hotspot)`,
              at: locationOf(node),
            });
        }
        if (type === "Constraint" && node.contype === "CONSTR_IDENTITY")
          hits.push({ message: "an identity column (a sequence: a hotspot)", at: locationOf(node) });
        if (type === "FuncCall") {
          const fn = names(node.funcname).pop()?.toLowerCase();
          if (fn && SEQUENCE_FUNCTIONS.has(fn))
            hits.push({ message: `${fn}() reads a sequence (a hotspot)`, at: locationOf(node) });
        }
      });
      return hits;
    },
  },
  ...VERSIONED_FEATURES.map(versionedRule),
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
    // An index on an existing table is built by a backfill job on CockroachDB (online, but it reads
    // every row: https://www.cockroachlabs.com/docs/v23.2/online-schema-changes); PostgreSQL blocks
    // writes while it builds. Any version.
    id: "crdb-index-backfill",
    severity: "warning",
    summary: "CREATE INDEX on a table that already exists (a backfill, any CockroachDB version)",
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

/**
 * The findings of CockroachDB's own grammar (dbmigrate/sql/cockroachdb-grammar.ts), listed so
 * waivers know them: a statement CockroachDB's parser rejects fails on the cluster whatever a
 * waiver says; a version gap may be waived with a reason (a person may know their clusters).
 * (`crdb-parser-crash`, the parser panicking, is a parser bug no input here reproduces: it has no
 * case folder, and is tested through the helper's test hook in test/dbmigrate/sql.)
 */
export const COCKROACHDB_GRAMMAR_RULES: Pick<Rule, "id" | "severity" | "summary" | "fix" | "waivable">[] = [
  {
    id: "crdb-syntax",
    severity: "error",
    waivable: false,
    summary: "CockroachDB's parser rejects the statement (SQLSTATE 42601)",
    fix: "Write it in SQL both engines accept",
  },
  {
    id: "crdb-unsupported",
    severity: "error",
    waivable: false,
    summary: "CockroachDB's parser knows the statement and does not support it (SQLSTATE 0A000)",
    fix: "Express it in SQL both engines accept",
  },
  {
    id: "crdb-version",
    severity: "error",
    summary: "only a CockroachDB newer than the oldest supported accepts the statement",
    fix: "Write it for the oldest supported version, or gate the file",
  },
];
