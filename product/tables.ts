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
