/**
 * A multi-tenant data set for plan tests and benchmarks, generated inside PostgreSQL
 * (generate_series is test-side only; the schema itself stays CockroachDB-safe).
 */
import type { SqlClient } from "../../dbmigrate/db";

/** How big the data set is. */
export interface DatasetSize {
  tenants: number;
  sitesPerTenant: number;
  usersPerTenant: number;
  postsPerSite: number;
}

/** Sample values for the catalog's placeholders, from tenant 7. */
export type SampleParams = Record<string, unknown>;

/** Loads the data set into a migrated, empty database, analyses it, and returns sample parameters. */
export async function loadDataset(client: SqlClient, size: DatasetSize): Promise<SampleParams> {
  const steps: [string, unknown[]][] = [
    [
      `INSERT INTO customers (name, slug) SELECT 'Tenant ' || g, 'tenant-' || g FROM generate_series(1, $1::INT) g`,
      [size.tenants],
    ],
    [
      `INSERT INTO sites (customer_id, name, slug) SELECT c.id, 'Site ' || s, 'site-' || s FROM customers c, generate_series(1, $1::INT) s`,
      [size.sitesPerTenant],
    ],
    [
      `INSERT INTO domains (customer_id, site_id, hostname, is_primary)
       SELECT s.customer_id, s.id, s.slug || '.' || c.slug || '.example.com', true FROM sites s JOIN customers c ON c.id = s.customer_id`,
      [],
    ],
    [
      `INSERT INTO users (customer_id, email, role) SELECT c.id, 'user' || u || '@' || c.slug || '.example.com', 'author'
         FROM customers c, generate_series(1, $1::INT) u`,
      [size.usersPerTenant],
    ],
    [
      `INSERT INTO posts (customer_id, site_id, author_id, title, slug, status, published_at, updated_at)
       SELECT s.customer_id, s.id, u.id, 'Post ' || p, 'post-' || p,
              CASE WHEN p % 4 = 0 THEN 'draft' ELSE 'published' END,
              CASE WHEN p % 4 = 0 THEN NULL ELSE now() - p * INTERVAL '1 hour' END,
              now() - p * INTERVAL '1 minute'
         FROM sites s
         CROSS JOIN generate_series(1, $1::INT) p
         JOIN LATERAL (SELECT id FROM users WHERE customer_id = s.customer_id ORDER BY email OFFSET (p % $2::INT) LIMIT 1) u ON true`,
      [size.postsPerSite, size.usersPerTenant],
    ],
    [
      `INSERT INTO iam_providers (customer_id, name, provider_type, client_id) SELECT id, 'okta', 'okta', 'client-' || slug FROM customers`,
      [],
    ],
    [
      `INSERT INTO iam_user_mappings (customer_id, provider_id, user_id, external_id)
       SELECT u.customer_id, p.id, u.id, 'ext-' || u.email FROM users u JOIN iam_providers p ON p.customer_id = u.customer_id`,
      [],
    ],
    [
      `INSERT INTO iam_group_mappings (customer_id, provider_id, external_group, role)
       SELECT p.customer_id, p.id, 'group-' || g || '-' || p.client_id, (ARRAY['admin', 'editor', 'viewer'])[g] FROM iam_providers p, generate_series(1, 3) g`,
      [],
    ],
    [
      `INSERT INTO tenant_usage (customer_id, metric, value, period_start, period_end)
       SELECT c.id, m, 100, TIMESTAMPTZ '2026-01-01' + d * INTERVAL '1 day', TIMESTAMPTZ '2026-01-01' + (d + 1) * INTERVAL '1 day'
         FROM customers c, unnest(ARRAY['page_views', 'api_requests', 'bandwidth_bytes']) m, generate_series(0, 59) d`,
      [],
    ],
    [
      `INSERT INTO site_settings (customer_id, site_id, key, value)
       SELECT s.customer_id, s.id, 'setting_' || k, to_jsonb(k) FROM sites s, generate_series(1, 5) k`,
      [],
    ],
    [
      `INSERT INTO audit_logs (customer_id, actor_type, action, resource_type, resource_id, created_at)
       SELECT c.id, 'user', 'post.update', 'post', 'post-' || e, now() - e * INTERVAL '1 minute' FROM customers c, generate_series(1, 50) e`,
      [],
    ],
    ["ANALYZE", []],
  ];
  for (const [text, values] of steps) await client.query(text, values);
  const { rows } = await client.query<Record<string, unknown>>(
    `SELECT c.id AS customer_id, c.slug AS customer_slug, s.id AS site_id, d.hostname, u.id AS user_id, u.email,
            p.id AS provider_id, m.external_id, 'group-2-' || p.client_id AS external_group, 'post-3' AS post_slug,
            TIMESTAMPTZ '2026-01-10' AS period_from, TIMESTAMPTZ '2026-01-20' AS period_to
       FROM customers c
       JOIN sites s ON s.customer_id = c.id AND s.slug = 'site-1'
       JOIN domains d ON d.site_id = s.id
       JOIN users u ON u.customer_id = c.id AND u.email LIKE 'user1@%'
       JOIN iam_providers p ON p.customer_id = c.id
       JOIN iam_user_mappings m ON m.user_id = u.id
      WHERE c.slug = 'tenant-7'`,
  );
  return rows[0];
}
