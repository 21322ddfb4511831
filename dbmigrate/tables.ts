/** The application's tables, parents before children (the order `dropAll` reverses). */
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
