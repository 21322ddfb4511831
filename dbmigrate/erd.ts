/**
 * An entity-relationship diagram (Mermaid `erDiagram`) read from the live catalog, for
 * docs/schema.md (`dbmigrate erd --output docs/schema.md`). Read, not written by hand, so a test
 * can tell when the committed diagram no longer matches the schema.
 */
import type { SqlClient } from "./db";
import { ENGINE_TABLES } from "./engine-schema";
import { DbMigrateError } from "./errors";
import { readSnapshot } from "./snapshot/read";

const SHORT_TYPES: Record<string, string> = {
  "timestamp with time zone": "timestamptz",
  "character varying": "varchar",
};

/**
 * Every table of the current schema as the catalog shows it, the engine's own left out: referenced
 * tables before the tables referring to them (a diagram reads top-down from the tenant), ties by name.
 */
async function catalogTables(client: SqlClient): Promise<string[]> {
  const { tables } = await readSnapshot(client, { excludeTables: ENGINE_TABLES });
  const parents = new Map(
    tables.map((t) => [
      t.name,
      new Set(t.constraints.flatMap((c) => (c.references && c.references !== t.name ? [c.references] : []))),
    ]),
  );
  const ordered: string[] = [];
  while (parents.size > 0) {
    const ready = [...parents].filter(([, of]) => [...of].every((p) => !parents.has(p))).map(([name]) => name);
    // A cycle of foreign keys: the rest by name.
    const next = ready.length > 0 ? ready.sort()[0] : [...parents.keys()].sort()[0];
    ordered.push(next);
    parents.delete(next);
  }
  return ordered;
}

/**
 * Fails when the current schema has no table but the engine's: a diagram of a database that was
 * never migrated would be empty, and `--output docs/schema.md` would overwrite the page.
 */
export async function assertSchemaPresent(client: SqlClient): Promise<void> {
  if ((await catalogTables(client)).length > 0) return;
  throw new DbMigrateError("the database has none of the schema's tables: nothing to draw", {
    hint: "Run `dbmigrate up` on it first, or point --database-url at a migrated database; nothing was written",
  });
}

/** The Markdown page: a heading, how it was made, and the diagram. */
export async function renderErdPage(client: SqlClient): Promise<string> {
  return [
    "# Schema",
    "",
    "The AGoat Publisher schema as an entity-relationship diagram, generated from the live catalog of a",
    "database with every migration applied (`dbmigrate erd --output docs/schema.md`). Do not edit by hand:",
    "`test/dbmigrate/erd.test.ts` fails when this page and the schema differ.",
    "",
    "```mermaid",
    await renderErd(client),
    "```",
    "",
  ].join("\n");
}

/** The `erDiagram` text for every table of the current schema but the engine's. */
export async function renderErd(client: SqlClient): Promise<string> {
  const tables = await catalogTables(client);
  const columns = await client.query<{ table_name: string; column_name: string; data_type: string }>(
    `SELECT table_name, column_name, data_type FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = ANY($1) ORDER BY table_name, ordinal_position`,
    [tables],
  );
  const keys = await client.query<{ table_name: string; column_name: string; kind: string }>(
    `SELECT tc.table_name, k.column_name, tc.constraint_type AS kind
       FROM information_schema.table_constraints tc
       JOIN information_schema.key_column_usage k ON k.constraint_name = tc.constraint_name AND k.table_name = tc.table_name AND k.table_schema = tc.table_schema
      WHERE tc.table_schema = current_schema() AND tc.constraint_type IN ('PRIMARY KEY', 'FOREIGN KEY') AND tc.table_name = ANY($1)`,
    [tables],
  );
  const relations = await client.query<{ child: string; parent: string; name: string; optional: boolean }>(
    `SELECT c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent, c.conname AS name,
            bool_or(a.attnotnull = false) AS optional
       FROM pg_constraint c
       JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)
      WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace
      GROUP BY 1, 2, 3 ORDER BY 2, 1, 3`,
  );
  const marks = new Map<string, Set<string>>();
  for (const k of keys.rows) {
    const id = `${k.table_name}.${k.column_name}`;
    if (!marks.has(id)) marks.set(id, new Set());
    marks.get(id)!.add(k.kind === "PRIMARY KEY" ? "PK" : "FK");
  }
  const lines = ["erDiagram"];
  for (const table of tables) {
    lines.push(`  ${table} {`);
    for (const c of columns.rows.filter((r) => r.table_name === table)) {
      const kinds = [...(marks.get(`${table}.${c.column_name}`) ?? [])].sort().reverse().join(", ");
      lines.push(
        `    ${(SHORT_TYPES[c.data_type] ?? c.data_type).replace(/\s+/g, "_")} ${c.column_name}${kinds ? ` ${kinds}` : ""}`,
      );
    }
    lines.push("  }");
  }
  for (const r of relations.rows) {
    lines.push(`  ${r.parent} ${r.optional ? "|o" : "||"}--o{ ${r.child} : "${r.name}"`);
  }
  return lines.join("\n");
}
