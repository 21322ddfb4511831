/**
 * Whether row-level security (migrations/0002, 0005) hides rows of the default tenant's tables
 * from the connected role. A role that is not the tables' owner sees no row of `default_tenant`
 * (0005: RLS with no policy) and only its own tenant's rows elsewhere, so the seed would take an
 * existing default tenant for missing and try to create a second one.
 */
// Why detection and not a workaround: the default tenant's ids live in `default_tenant`, which no
// non-owner role can read, so `SET LOCAL app.customer_id` cannot name the tenant it is looking
// for; and switching to the owner (`SET ROLE`) would take a privilege the operator did not give.
// The honest answer is one line saying which role and tables, and what to run with instead.
import type { SqlClient } from "../dbmigrate/db";
import { SeedError, sqlStateOf } from "../dbmigrate/errors";
import { UNDEFINED_COLUMN, UNDEFINED_TABLE } from "../dbmigrate/sqlstate";
import { PRODUCT_TABLES } from "./tables";

/** The tables the seed reads and writes, `default_tenant` first (the one a non-owner never sees). */
export const SEED_TABLES = ["default_tenant", ...PRODUCT_TABLES] as const;

/**
 * The tables among `tables` in `schema` (default: the session's current schema, i.e. the
 * engine's when the steps run with `search_path` set to it) whose rows row-level security filters
 * for the current role.
 */
// The rule is PostgreSQL's, and CockroachDB 25.2 states the same one: RLS applies only where it is
// enabled; superusers (admins), roles with BYPASSRLS and the table's owner are exempt, the owner
// not when the table is FORCE ROW LEVEL SECURITY
// (https://www.cockroachlabs.com/docs/v25.2/row-level-security). pg_has_role(owner, 'USAGE') is
// PostgreSQL's own owner check: a member that inherits the owner's privileges counts as the owner.
// A catalog without these columns (a CockroachDB before 25.2, which has no RLS) hides nothing.
export async function rowSecurityHides(
  client: SqlClient,
  tables: readonly string[],
  schema?: string,
): Promise<{ tables: string[]; role: string }> {
  try {
    const { rows } = await client.query<{ role: string; hidden: string[] }>(
      `SELECT current_user AS role, ARRAY(
         SELECT c.relname::TEXT
           FROM pg_catalog.pg_class c
           JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace AND n.nspname = COALESCE($2, current_schema())
           JOIN pg_catalog.pg_roles r ON r.rolname = current_user
          WHERE c.relname::TEXT = ANY($1) AND c.relrowsecurity
            AND NOT r.rolsuper AND NOT r.rolbypassrls
            AND (c.relforcerowsecurity OR NOT pg_has_role(c.relowner, 'USAGE'))
          ORDER BY array_position($1, c.relname::TEXT)) AS hidden`,
      [[...tables], schema ?? null],
    );
    return { tables: rows[0].hidden, role: rows[0].role };
  } catch (error) {
    const state = sqlStateOf(error);
    if (state === UNDEFINED_COLUMN || state === UNDEFINED_TABLE) return { tables: [], role: "" };
    throw error;
  }
}

/** Throws one line when row-level security would hide the default tenant from the connected role (in `schema`, see {@link rowSecurityHides}). */
export async function refuseHiddenTenant(client: SqlClient, schema?: string): Promise<void> {
  const hidden = await rowSecurityHides(client, SEED_TABLES, schema);
  if (hidden.tables.length === 0) return;
  throw new SeedError(
    `row-level security hides the default tenant from role '${hidden.role}' (${hidden.tables.join(", ")}): ` +
      `its presence cannot be read and it must not be created again`,
    {
      hint:
        "Run dbmigrate as the tables' owner (the role that applied the migrations), a superuser or a role " +
        "WITH BYPASSRLS; a role that must stay under row-level security cannot seed or report the default tenant",
    },
  );
}
