/**
 * A snapshot of a database's catalog for comparing two ways of building the schema: tables,
 * columns (type, default, nullability), constraints, indexes (definition with columns and
 * predicate) and row-level-security policies.
 */
import type { SqlClient } from "../../dbmigrate/db";

/** Everything compared, as sorted text lines. */
export async function catalogSnapshot(client: SqlClient): Promise<Record<string, string[]>> {
  const lines = async (text: string) => (await client.query<{ line: string }>(text)).rows.map((r) => r.line).sort();
  return {
    tables: await lines(`SELECT table_name AS line FROM information_schema.tables WHERE table_schema = 'public'`),
    columns: await lines(
      `SELECT table_name || '.' || column_name || ' ' || data_type || ' null=' || is_nullable || ' default=' || COALESCE(column_default, '') AS line
         FROM information_schema.columns WHERE table_schema = 'public'`,
    ),
    constraints: await lines(
      `SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) AS line
         FROM pg_constraint WHERE connamespace = 'public'::regnamespace`,
    ),
    indexes: await lines(`SELECT indexdef AS line FROM pg_indexes WHERE schemaname = 'public'`),
    policies: await lines(
      `SELECT tablename || ' ' || policyname || ' ' || cmd || ' ' || COALESCE(qual, '') || ' ' || COALESCE(with_check, '') AS line
         FROM pg_policies WHERE schemaname = 'public'`,
    ),
    rowSecurity: await lines(
      `SELECT relname || ' ' || relrowsecurity AS line FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'`,
    ),
  };
}
