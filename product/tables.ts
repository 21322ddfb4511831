/** The AGoat application's tables, parents before children (the order a teardown reverses). */
export const APPLICATION_TABLES = [
  "customers",
  "sites",
  "domains",
  "users",
  "posts",
  "iam_providers",
  "iam_user_mappings",
  "iam_group_mappings",
  "tenant_usage",
  "audit_logs",
  "site_settings",
  "default_tenant",
] as const;

/** The tables the AGoat steps (seed, audit) read and write: without them the steps are skipped. */
// Not default_tenant: the seed reads a database from before migrations/0004 without it.
export const PRODUCT_TABLES = ["customers", "sites", "domains", "audit_logs"] as const;

/** The columns those steps read and write: another project's table of the same name lacks them. */
export const PRODUCT_COLUMNS: Readonly<Record<(typeof PRODUCT_TABLES)[number], readonly string[]>> = {
  customers: ["id", "name", "slug", "deleted_at"],
  sites: ["id", "customer_id", "name", "slug", "deleted_at"],
  domains: ["id", "site_id", "hostname", "is_primary", "deleted_at"],
  audit_logs: ["customer_id", "actor_type", "actor_id", "action", "resource_type", "resource_id", "changes"],
};
