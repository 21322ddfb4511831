/**
 * A database's schema as sorted lines from pg_catalog, for comparing two ways of building it
 * (dbmigrate and `psql -f`): every user schema's relations, columns, constraints, indexes (with
 * validity), functions (full definitions), triggers, views, enum labels in order, sequences,
 * comments and row counts. The engine's own tables are left out.
 */
import type { SqlClient } from "../../dbmigrate/db";

/** The engine's tables and their indexes, as LIKE patterns. */
const ENGINE_TABLES = ["schema_migrations%", "schema_snapshots%"];

const USER_SCHEMA = `n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg_temp%'`;

/** The schema, by kind, as sorted lines. */
export async function schemaLines(client: SqlClient): Promise<Record<string, string[]>> {
  const lines = async (text: string) =>
    (await client.query<{ line: string }>(text, [ENGINE_TABLES])).rows.map((r) => r.line).sort();
  const relation = `c.relnamespace = n.oid AND ${USER_SCHEMA} AND NOT (c.relname LIKE ANY($1::TEXT[]))`;
  const out: Record<string, string[]> = {
    relations: await lines(
      `SELECT n.nspname || '.' || c.relname || ' ' || c.relkind::TEXT AS line FROM pg_class c, pg_namespace n WHERE ${relation} AND $1::TEXT[] IS NOT NULL`,
    ),
    columns: await lines(
      `SELECT n.nspname || '.' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
              || ' notnull=' || a.attnotnull || ' default=' || COALESCE(pg_get_expr(d.adbin, d.adrelid), '')
              || ' comment=' || COALESCE(col_description(c.oid, a.attnum), '') AS line
         FROM pg_class c JOIN pg_namespace n ON ${relation}
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
         LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum`,
    ),
    constraints: await lines(
      `SELECT n.nspname || '.' || con.conname || ' ' || pg_get_constraintdef(con.oid) AS line
         FROM pg_constraint con JOIN pg_namespace n ON n.oid = con.connamespace AND ${USER_SCHEMA}
        WHERE NOT EXISTS (SELECT 1 FROM pg_class r WHERE r.oid = con.conrelid AND r.relname LIKE ANY($1::TEXT[]))`,
    ),
    indexes: await lines(
      `SELECT pg_get_indexdef(i.indexrelid) || ' valid=' || i.indisvalid AS line
         FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON ${relation}`,
    ),
    functions: await lines(
      `SELECT pg_get_functiondef(p.oid) || ' comment=' || COALESCE(obj_description(p.oid, 'pg_proc'), '') AS line
         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace AND ${USER_SCHEMA} WHERE $1::TEXT[] IS NOT NULL`,
    ),
    triggers: await lines(
      `SELECT pg_get_triggerdef(t.oid) AS line FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
         JOIN pg_namespace n ON ${relation} WHERE NOT t.tgisinternal`,
    ),
    views: await lines(
      `SELECT n.nspname || '.' || c.relname || ' ' || pg_get_viewdef(c.oid) AS line
         FROM pg_class c JOIN pg_namespace n ON ${relation} WHERE c.relkind IN ('v', 'm')`,
    ),
    types: await lines(
      `SELECT n.nspname || '.' || t.typname || ' ' || t.typtype::TEXT || ' ' || COALESCE((SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid), '')
              || ' comment=' || COALESCE(obj_description(t.oid, 'pg_type'), '') AS line
         FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace AND ${USER_SCHEMA}
        WHERE t.typtype IN ('e', 'd') AND $1::TEXT[] IS NOT NULL`,
    ),
    comments: await lines(
      `SELECT n.nspname || '.' || c.relname || ' ' || obj_description(c.oid, 'pg_class') AS line
         FROM pg_class c JOIN pg_namespace n ON ${relation} WHERE obj_description(c.oid, 'pg_class') IS NOT NULL`,
    ),
    schemas: await lines(
      `SELECT n.nspname || ' ' || COALESCE(obj_description(n.oid, 'pg_namespace'), '') AS line FROM pg_namespace n WHERE ${USER_SCHEMA} AND $1::TEXT[] IS NOT NULL`,
    ),
  };
  // Row counts of every table: data-changing statements (seeds, backfills) must agree too.
  const tables = await client.query<{ name: string }>(
    `SELECT format('%I.%I', n.nspname, c.relname) AS name FROM pg_class c JOIN pg_namespace n ON ${relation} WHERE c.relkind = 'r'`,
    [ENGINE_TABLES],
  );
  out.rows = [];
  for (const { name } of tables.rows) {
    const { rows } = await client.query<{ n: number }>(`SELECT count(*)::INT AS n FROM ${name}`);
    out.rows.push(`${name} ${rows[0].n}`);
  }
  out.rows.sort();
  return out;
}
