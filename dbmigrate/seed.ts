/**
 * The default tenant: a customer, its site and, when a hostname is given, the site's primary
 * domain. Idempotent (a second run changes nothing), keyed by slug and hostname; every value is a
 * bound parameter. Runs in its own transaction, never in one with DDL.
 */
import type { SqlClient } from "./db";
import { UsageError } from "./errors";
import { hostnameProblem, nameProblem, slugProblem } from "./validation";

/** What the default tenant looks like. */
export interface SeedParams {
  /** The default customer's display name. */
  customerName: string;
  /** The default customer's slug (its key). */
  customerSlug: string;
  /** The default site's display name. */
  siteName: string;
  /** The default site's slug, unique within the customer. */
  siteSlug: string;
  /** The site's primary hostname, if any (bare, lower case). */
  siteHostname?: string;
}

/** Defaults for {@link SeedParams}. */
export const DEFAULT_SEED: SeedParams = {
  customerName: "Default Customer",
  customerSlug: "default",
  siteName: "Default Site",
  siteSlug: "default",
};

/** The ids of the seeded rows. */
export interface SeedResult {
  customerId: string;
  siteId: string;
  /** The primary domain's id when a hostname was given. */
  domainId?: string;
}

/** Every bad parameter with why, in field order; empty when all are valid. Values may be anything (config, inputs). */
export function seedProblems(params: Partial<Record<keyof SeedParams, unknown>>): [keyof SeedParams, string][] {
  const problems: [keyof SeedParams, string | undefined][] = [
    ["customerName", nameProblem(params.customerName)],
    ["customerSlug", slugProblem(params.customerSlug)],
    ["siteName", nameProblem(params.siteName)],
    ["siteSlug", slugProblem(params.siteSlug)],
    ["siteHostname", params.siteHostname === undefined ? undefined : hostnameProblem(params.siteHostname)],
  ];
  return problems.filter((p): p is [keyof SeedParams, string] => p[1] !== undefined);
}

/** Throws a {@link UsageError} naming the first bad parameter; `label` maps a field to the user's name for it. */
export function validateSeed(params: SeedParams, label: (field: keyof SeedParams) => string = (f) => f): void {
  const [first] = seedProblems(params);
  if (first) throw new UsageError(`invalid seed parameter ${label(first[0])}: ${first[1]}`);
}

/** Inserts or updates the default customer, site and domain. Call inside a transaction. */
export async function applySeed(client: SqlClient, params: SeedParams): Promise<SeedResult> {
  await client.query(
    `INSERT INTO customers (name, slug) VALUES ($1, $2)
     ON CONFLICT (slug) WHERE deleted_at IS NULL
     DO UPDATE SET name = excluded.name, updated_at = now() WHERE customers.name <> excluded.name`,
    [params.customerName, params.customerSlug],
  );
  const customerId = await idOf(client, `SELECT id FROM customers WHERE slug = $1 AND deleted_at IS NULL`, [
    params.customerSlug,
  ]);
  await client.query(
    `INSERT INTO sites (customer_id, name, slug) VALUES ($1, $2, $3)
     ON CONFLICT (customer_id, slug) WHERE deleted_at IS NULL
     DO UPDATE SET name = excluded.name, updated_at = now() WHERE sites.name <> excluded.name`,
    [customerId, params.siteName, params.siteSlug],
  );
  const siteId = await idOf(
    client,
    `SELECT id FROM sites WHERE customer_id = $1 AND slug = $2 AND deleted_at IS NULL`,
    [customerId, params.siteSlug],
  );
  if (params.siteHostname === undefined) return { customerId, siteId };

  const found = await client.query<{ id: string; site_id: string; is_primary: boolean; site_deleted: boolean }>(
    `SELECT d.id, d.site_id, d.is_primary, s.deleted_at IS NOT NULL AS site_deleted
       FROM domains d JOIN sites s ON s.id = d.site_id
      WHERE d.hostname = $1 AND d.deleted_at IS NULL`,
    [params.siteHostname],
  );
  let rows = found.rows;
  if (rows.length > 0 && rows[0].site_deleted && rows[0].site_id !== siteId) {
    // The mapping outlived its soft-deleted site: retire it so the hostname can serve the live one.
    await client.query(`UPDATE domains SET deleted_at = now(), updated_at = now() WHERE id = $1`, [rows[0].id]);
    rows = [];
  }
  if (rows.length > 0 && rows[0].site_id !== siteId) {
    throw new UsageError(`hostname '${params.siteHostname}' is already mapped to another site (${rows[0].site_id})`, {
      hint: "Choose another hostname for the default site, or soft-delete the existing mapping first",
    });
  }
  if (rows.length > 0 && rows[0].is_primary) return { customerId, siteId, domainId: rows[0].id };
  // The site has one live primary domain at most: demote the old one before promoting this one.
  await client.query(
    `UPDATE domains SET is_primary = false, updated_at = now()
      WHERE customer_id = $1 AND site_id = $2 AND is_primary AND deleted_at IS NULL`,
    [customerId, siteId],
  );
  if (rows.length > 0) {
    await client.query(`UPDATE domains SET is_primary = true, updated_at = now() WHERE id = $1`, [rows[0].id]);
    return { customerId, siteId, domainId: rows[0].id };
  }
  const domainId = await idOf(
    client,
    `INSERT INTO domains (customer_id, site_id, hostname, is_primary) VALUES ($1, $2, $3, true) RETURNING id`,
    [customerId, siteId, params.siteHostname],
  );
  return { customerId, siteId, domainId };
}

/** What exists of the default tenant, by slug; null where a row is missing. One query. */
export interface SeedState {
  customerId: string | null;
  customerName: string | null;
  siteId: string | null;
  siteName: string | null;
  /** The live primary domain's hostname of the default site, if any. */
  primaryHostname: string | null;
}

/** Reads the default tenant's rows without changing anything. Needs the schema to exist. */
export async function readSeed(
  client: SqlClient,
  params: Pick<SeedParams, "customerSlug" | "siteSlug">,
): Promise<SeedState> {
  const { rows } = await client.query<{
    customer_id: string;
    customer_name: string;
    site_id: string | null;
    site_name: string | null;
    hostname: string | null;
  }>(
    `SELECT c.id AS customer_id, c.name AS customer_name, s.id AS site_id, s.name AS site_name, d.hostname
       FROM customers c
       LEFT JOIN sites s ON s.customer_id = c.id AND s.slug = $2 AND s.deleted_at IS NULL
       LEFT JOIN domains d ON d.customer_id = c.id AND d.site_id = s.id AND d.is_primary AND d.deleted_at IS NULL
      WHERE c.slug = $1 AND c.deleted_at IS NULL`,
    [params.customerSlug, params.siteSlug],
  );
  const row = rows[0];
  return {
    customerId: row?.customer_id ?? null,
    customerName: row?.customer_name ?? null,
    siteId: row?.site_id ?? null,
    siteName: row?.site_name ?? null,
    primaryHostname: row?.hostname ?? null,
  };
}

/** Whether the seed already matches `params` exactly (then `up` has nothing to do for it). */
export function seedMatches(state: SeedState, params: SeedParams): boolean {
  return (
    state.customerName === params.customerName &&
    state.siteName === params.siteName &&
    (params.siteHostname === undefined || state.primaryHostname === params.siteHostname)
  );
}

async function idOf(client: SqlClient, text: string, values: unknown[]): Promise<string> {
  const { rows } = await client.query<{ id: string }>(text, values);
  return rows[0].id;
}
