/**
 * The default tenant: a customer, its site and, when a hostname is given, the site's primary
 * domain. Which customer and site are the default is a fact of the database (`default_tenant`,
 * migrations/0004), not of a run: `up` without seed parameters keeps it as it is; with them it
 * converges it (renames, slugs, hostname), writing one audit row per change, and never creates a
 * second one. Every value is a bound parameter. Runs in its own transaction, never with DDL.
 */
// Leaf modules, not dbmigrate/inputs: the CLI's settings catalog (reached through inputs) reads
// DEFAULT_SEED from here, and a cycle would leave it undefined while this module loads.
import type { SqlClient } from "../dbmigrate/db";
import { quoteIdent } from "../dbmigrate/engine-schema";
import { SeedError, sqlStateOf, UsageError } from "../dbmigrate/errors";
import { UNDEFINED_TABLE } from "../dbmigrate/sqlstate";
import { hostnameProblem, nameProblem, slugProblem } from "../dbmigrate/validation";

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

/**
 * Throws a {@link UsageError} naming the first bad parameter among those given; `label` maps a
 * field to the user's name for it.
 */
export function validateSeed(params: Partial<SeedParams>, label: (field: keyof SeedParams) => string = (f) => f): void {
  const given = Object.fromEntries(Object.entries(params).filter(([, value]) => value !== undefined));
  const [first] = seedProblems({ ...DEFAULT_SEED, ...given });
  if (first) throw new UsageError(`invalid seed parameter ${label(first[0])}: ${first[1]}`);
}

/** The recorded default tenant, as it is in the database. */
export interface DefaultTenant {
  customerId: string;
  customerName: string;
  customerSlug: string;
  siteId: string;
  siteName: string;
  siteSlug: string;
  /** The default site's live primary domain, if any. */
  primaryHostname: string | null;
  primaryDomainId: string | null;
  /** False before migrations/0004 recorded it: then it is the oldest live customer's oldest site. */
  recorded: boolean;
  /** The recorded customer and site may have been soft-deleted since; the seed step then replaces them. */
  customerLive: boolean;
  siteLive: boolean;
}

/** One change the seed step makes to the default tenant. */
export interface SeedChange {
  what: "create" | keyof SeedParams;
  from: string | null;
  to: string;
}

const TENANT_COLUMNS = `c.id AS customer_id, c.name AS customer_name, c.slug AS customer_slug,
       s.name AS site_name, s.slug AS site_slug, d.id AS domain_id, d.hostname,
       c.deleted_at IS NULL AS customer_live, s.id IS NOT NULL AND s.deleted_at IS NULL AS site_live`;
const primaryDomain = (t: (table: string) => string) =>
  `LEFT JOIN ${t("domains")} d ON d.customer_id = s.customer_id AND d.site_id = s.id AND d.is_primary AND d.deleted_at IS NULL`;

/**
 * The default tenant, or null when there is none yet (or no schema). Before migrations/0004 it
 * is what that migration will record: the oldest live customer's oldest live site. `schema`:
 * where its tables are (names qualified); left out, the session's `search_path` finds them.
 */
export async function readDefaultTenant(client: SqlClient, schema?: string): Promise<DefaultTenant | null> {
  type Row = Record<string, string | boolean | null>;
  const t = (table: string) => (schema === undefined ? table : `${quoteIdent(schema)}.${table}`);
  let rows: Row[];
  let recorded = true;
  try {
    rows = (
      await client.query<Row>(
        // LEFT JOIN: the recorded site may have been deleted since (0006).
        `SELECT ${TENANT_COLUMNS}, t.site_id
           FROM ${t("default_tenant")} t JOIN ${t("customers")} c ON c.id = t.customer_id
           LEFT JOIN ${t("sites")} s ON s.customer_id = t.customer_id AND s.id = t.site_id ${primaryDomain(t)}`,
      )
    ).rows;
  } catch (error) {
    if (sqlStateOf(error) !== UNDEFINED_TABLE) throw error;
    recorded = false;
    try {
      rows = (
        await client.query<Row>(
          `SELECT ${TENANT_COLUMNS}, s.id AS site_id
             FROM ${t("customers")} c JOIN ${t("sites")} s ON s.customer_id = c.id AND s.deleted_at IS NULL ${primaryDomain(t)}
            WHERE c.deleted_at IS NULL ORDER BY c.created_at, c.id, s.created_at, s.id LIMIT 1`,
        )
      ).rows;
    } catch (inner) {
      if (sqlStateOf(inner) === UNDEFINED_TABLE) return null; // no schema yet
      throw inner;
    }
  }
  const r = rows[0];
  if (!r) return null;
  return {
    customerId: String(r.customer_id),
    customerName: String(r.customer_name),
    customerSlug: String(r.customer_slug),
    siteId: String(r.site_id),
    siteName: (r.site_name as string | null) ?? "",
    siteSlug: (r.site_slug as string | null) ?? "",
    primaryHostname: (r.hostname as string | null) ?? null,
    primaryDomainId: (r.domain_id as string | null) ?? null,
    recorded,
    customerLive: r.customer_live === true,
    siteLive: r.site_live === true,
  };
}

/** A recorded default tenant whose customer and site both still exist. */
export function isLive(tenant: DefaultTenant | null): boolean {
  return tenant !== null && tenant.customerLive && tenant.siteLive;
}

/** What the seed step would change, given the current default tenant and the parameters that were given. */
export function seedChanges(current: DefaultTenant | null, request: Partial<SeedParams>): SeedChange[] {
  if (!current || !isLive(current)) {
    const params = { ...DEFAULT_SEED, ...request };
    const customer = current?.customerLive
      ? `customer '${current.customerSlug}' (kept)`
      : `customer '${request.customerSlug ?? current?.customerSlug ?? params.customerSlug}'`;
    const changes: SeedChange[] = [
      {
        what: "create",
        from: null,
        to: `${customer}, site '${request.siteSlug ?? (current?.siteSlug || params.siteSlug)}'`,
      },
    ];
    if (params.siteHostname) changes.push({ what: "siteHostname", from: null, to: params.siteHostname });
    return changes;
  }
  const now: Record<keyof SeedParams, string | null> = {
    customerName: current.customerName,
    customerSlug: current.customerSlug,
    siteName: current.siteName,
    siteSlug: current.siteSlug,
    siteHostname: current.primaryHostname,
  };
  const changes: SeedChange[] = [];
  for (const what of Object.keys(now) as (keyof SeedParams)[]) {
    const to = request[what];
    if (to !== undefined && to !== now[what]) changes.push({ what, from: now[what], to });
  }
  return changes;
}

const LABELS: Record<SeedChange["what"], string> = {
  create: "create the default tenant:",
  customerName: "customer name",
  customerSlug: "customer slug",
  siteName: "site name",
  siteSlug: "site slug",
  siteHostname: "primary hostname",
};

/** `customer name 'A' -> 'B'`. */
export function describeSeedChange(change: SeedChange): string {
  if (change.what === "create") return `${LABELS.create} ${change.to}`;
  return `${LABELS[change.what]} ${change.from === null ? "(none)" : `'${change.from}'`} -> '${change.to}'`;
}

/**
 * Refuses, before anything changes, parameters the database cannot take: a slug of another live
 * customer or site, a hostname of another live site. Needs the schema.
 */
export async function checkSeed(
  client: SqlClient,
  current: DefaultTenant | null,
  request: Partial<SeedParams>,
): Promise<void> {
  if (
    current &&
    isLive(current) &&
    request.customerSlug !== undefined &&
    request.customerSlug !== current.customerSlug
  ) {
    const { rows } = await client.query(`SELECT id FROM customers WHERE slug = $1 AND deleted_at IS NULL`, [
      request.customerSlug,
    ]);
    if (rows.length > 0) {
      throw new SeedError(`customer slug '${request.customerSlug}' belongs to another customer`, {
        hint: `The default customer is '${current.customerSlug}'; choose a free slug, or leave --customer-slug out to keep it`,
      });
    }
  }
  if (current && isLive(current) && request.siteSlug !== undefined && request.siteSlug !== current.siteSlug) {
    const { rows } = await client.query(
      `SELECT id FROM sites WHERE customer_id = $1 AND slug = $2 AND deleted_at IS NULL`,
      [current.customerId, request.siteSlug],
    );
    if (rows.length > 0) {
      throw new SeedError(`site slug '${request.siteSlug}' belongs to another site of the default customer`, {
        hint: `The default site is '${current.siteSlug}'; choose a free slug, or leave --site-slug out to keep it`,
      });
    }
  }
  if (request.siteHostname !== undefined) {
    const { rows } = await client.query<{ site_id: string }>(
      `SELECT d.site_id FROM domains d JOIN sites s ON s.id = d.site_id
        WHERE d.hostname = $1 AND d.deleted_at IS NULL AND s.deleted_at IS NULL`,
      [request.siteHostname],
    );
    if (rows.length > 0 && !(current && isLive(current) && rows[0].site_id === current.siteId)) {
      throw new SeedError(`hostname '${request.siteHostname}' is already mapped to another site (${rows[0].site_id})`, {
        hint: "Choose another hostname for the default site, or soft-delete the existing mapping first",
      });
    }
  }
}

/** Writes one audit row for a change of the default tenant. */
export type SeedAudit = (
  client: SqlClient,
  customerId: string,
  resource: { type: "customer" | "site" | "domain"; id: string },
  change: SeedChange,
) => Promise<void>;

/**
 * Brings the default tenant to `request` (creating it, with {@link DEFAULT_SEED} for what was not
 * given, when there is none), recording which it is. Call inside a transaction.
 */
export async function applySeed(
  client: SqlClient,
  request: Partial<SeedParams>,
  audit: SeedAudit,
): Promise<{ result: SeedResult; changes: SeedChange[] }> {
  let current = await readDefaultTenant(client);
  await checkSeed(client, current, request);
  const changes = seedChanges(current, request);
  if (!current || !isLive(current) || !current.recorded) {
    const created = await createDefaultTenant(client, current, request);
    if (!isLive(current)) {
      await audit(client, created.customerId, { type: "site", id: created.siteId }, changes[0]);
    }
    current = created;
  }
  const tenant = current;
  // Creating took the given names and slugs already; what is left is the hostname.
  const left = changes[0]?.what === "create" ? changes.filter((c) => c.what === "siteHostname") : changes;
  for (const change of left) {
    if (change.what === "customerName" || change.what === "customerSlug") {
      const column = change.what === "customerName" ? "name" : "slug";
      await client.query(`UPDATE customers SET ${column} = $2, updated_at = now() WHERE id = $1`, [
        tenant.customerId,
        change.to,
      ]);
      await audit(client, tenant.customerId, { type: "customer", id: tenant.customerId }, change);
    } else if (change.what === "siteName" || change.what === "siteSlug") {
      const column = change.what === "siteName" ? "name" : "slug";
      await client.query(`UPDATE sites SET ${column} = $2, updated_at = now() WHERE id = $1`, [
        tenant.siteId,
        change.to,
      ]);
      await audit(client, tenant.customerId, { type: "site", id: tenant.siteId }, change);
    } else if (change.what === "siteHostname") {
      const domainId = await setPrimaryHostname(client, tenant, change.to);
      await audit(client, tenant.customerId, { type: "domain", id: domainId }, change);
    }
  }
  const after = (await readDefaultTenant(client))!;
  const result: SeedResult = { customerId: after.customerId, siteId: after.siteId };
  if (after.primaryDomainId) result.domainId = after.primaryDomainId;
  return { result, changes };
}

/**
 * Records the default tenant: the pre-0004 one as it is; otherwise keeps the recorded customer if
 * it is still live, adopts live rows with the asked slugs (a database seeded by hand), and creates
 * what is missing. One row at most: an existing record is repointed, never duplicated.
 */
async function createDefaultTenant(
  client: SqlClient,
  existing: DefaultTenant | null,
  request: Partial<SeedParams>,
): Promise<DefaultTenant> {
  const params = { ...DEFAULT_SEED, ...request };
  let customerId = existing?.customerLive ? existing.customerId : undefined;
  let siteId = existing?.customerLive && existing.siteLive ? existing.siteId : undefined;
  const customerSlug = request.customerSlug ?? existing?.customerSlug ?? params.customerSlug;
  const siteSlug = request.siteSlug ?? (existing?.siteSlug || params.siteSlug);
  customerId ??=
    (await maybeId(client, `SELECT id FROM customers WHERE slug = $1 AND deleted_at IS NULL`, [customerSlug])) ??
    (await idOf(client, `INSERT INTO customers (name, slug) VALUES ($1, $2) RETURNING id`, [
      params.customerName,
      customerSlug,
    ]));
  siteId ??=
    (await maybeId(client, `SELECT id FROM sites WHERE customer_id = $1 AND slug = $2 AND deleted_at IS NULL`, [
      customerId,
      siteSlug,
    ])) ??
    (await idOf(client, `INSERT INTO sites (customer_id, name, slug) VALUES ($1, $2, $3) RETURNING id`, [
      customerId,
      params.siteName,
      siteSlug,
    ]));
  // The unique constraint on default_tenant makes a second default impossible, even for two runs at once.
  await client.query(
    `INSERT INTO default_tenant (customer_id, site_id) VALUES ($1, $2)
     ON CONFLICT (singleton) DO UPDATE SET customer_id = excluded.customer_id, site_id = excluded.site_id, updated_at = now()`,
    [customerId, siteId],
  );
  return (await readDefaultTenant(client))!;
}

/** Makes `hostname` the default site's primary domain: renames the current primary in place, or promotes/creates one. */
async function setPrimaryHostname(client: SqlClient, tenant: DefaultTenant, hostname: string): Promise<string> {
  const found = await client.query<{ id: string; site_id: string; site_deleted: boolean }>(
    `SELECT d.id, d.site_id, s.deleted_at IS NOT NULL AS site_deleted
       FROM domains d JOIN sites s ON s.id = d.site_id
      WHERE d.hostname = $1 AND d.deleted_at IS NULL`,
    [hostname],
  );
  const row = found.rows[0];
  if (row && row.site_id !== tenant.siteId) {
    // checkSeed refused a live site's hostname; this mapping outlived its soft-deleted site: retire it.
    await client.query(`UPDATE domains SET deleted_at = now(), updated_at = now() WHERE id = $1`, [row.id]);
  }
  if (row && row.site_id === tenant.siteId) {
    // Already a domain of the default site: demote the old primary (at most one live primary), promote it.
    await client.query(
      `UPDATE domains SET is_primary = false, updated_at = now() WHERE site_id = $1 AND is_primary AND deleted_at IS NULL`,
      [tenant.siteId],
    );
    await client.query(`UPDATE domains SET is_primary = true, updated_at = now() WHERE id = $1`, [row.id]);
    return row.id;
  }
  if (tenant.primaryDomainId) {
    await client.query(`UPDATE domains SET hostname = $2, updated_at = now() WHERE id = $1`, [
      tenant.primaryDomainId,
      hostname,
    ]);
    return tenant.primaryDomainId;
  }
  return idOf(
    client,
    `INSERT INTO domains (customer_id, site_id, hostname, is_primary) VALUES ($1, $2, $3, true) RETURNING id`,
    [tenant.customerId, tenant.siteId, hostname],
  );
}

async function maybeId(client: SqlClient, text: string, values: unknown[]): Promise<string | undefined> {
  const { rows } = await client.query<{ id: string }>(text, values);
  return rows[0]?.id;
}

async function idOf(client: SqlClient, text: string, values: unknown[]): Promise<string> {
  const { rows } = await client.query<{ id: string }>(text, values);
  return rows[0].id;
}
