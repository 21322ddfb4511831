/**
 * Tenant isolation inside the database (migration 0002): a non-owner role the API would use,
 * scoped to tenant A by `app.customer_id`, sees and writes none of tenant B's rows.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { Client } from "pg";
import { APPLICATION_TABLES } from "../../product/tables";
import { withDb, migratedDatabase } from "../support/engine";
import { startPostgres, type TestPostgres } from "../support/postgres";

let pg: TestPostgres;
let dsn: string;
let apiUrl: string;
const tenants: Record<string, string> = {};

before(async () => {
  pg = await startPostgres();
  dsn = await migratedDatabase(pg);
  const role = `api_${randomBytes(4).toString("hex")}`;
  const password = randomBytes(12).toString("hex");
  await withDb(dsn, async (client) => {
    await client.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}' NOSUPERUSER NOBYPASSRLS`);
    await client.query(`GRANT USAGE ON SCHEMA public TO ${role}`);
    await client.query(`GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO ${role}`);
    for (const k of ["a", "b"]) {
      const one = async (text: string, values: unknown[]) =>
        (await client.query<{ id: string }>(text, values)).rows[0].id;
      const customer = await one(`INSERT INTO customers (name, slug) VALUES ($1, $2) RETURNING id`, [
        `Tenant ${k}`,
        `tenant-${k}`,
      ]);
      const site = await one(`INSERT INTO sites (customer_id, name, slug) VALUES ($1, 'S', 's') RETURNING id`, [
        customer,
      ]);
      const user = await one(`INSERT INTO users (customer_id, email) VALUES ($1, $2) RETURNING id`, [
        customer,
        `${k}@example.com`,
      ]);
      await client.query(
        `INSERT INTO posts (customer_id, site_id, author_id, title, slug) VALUES ($1, $2, $3, 'T', 't')`,
        [customer, site, user],
      );
      await client.query(
        `INSERT INTO audit_logs (customer_id, actor_type, action, resource_type) VALUES ($1, 'user', 'post.create', 'post')`,
        [customer],
      );
      tenants[k] = customer;
      tenants[`site_${k}`] = site;
    }
  });
  const url = new URL(dsn);
  url.username = role;
  url.password = password;
  apiUrl = url.toString();
});
after(() => pg?.stop());

async function asApi<T>(customerId: string | null, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: apiUrl });
  await client.connect();
  try {
    if (customerId) await client.query(`SELECT set_config('app.customer_id', $1, false)`, [customerId]);
    return await work(client);
  } finally {
    await client.end();
  }
}

describe("row-level tenant isolation", () => {
  it("runs as a role that is neither owner nor superuser nor exempt from policies", async () => {
    const [row] = await asApi(
      null,
      async (c) => (await c.query(`SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user`)).rows,
    );
    assert.deepEqual(row, { rolsuper: false, rolbypassrls: false });
  });

  it("shows tenant A only its own rows in every tenant table", async () => {
    await asApi(tenants.a, async (client) => {
      for (const table of APPLICATION_TABLES) {
        const key = table === "customers" ? "id" : "customer_id";
        const { rows } = await client.query<{ owner: string }>(`SELECT DISTINCT ${key}::TEXT AS owner FROM ${table}`);
        assert.ok(
          rows.every((r) => r.owner === tenants.a),
          `${table} leaks another tenant's rows`,
        );
      }
      const posts = await client.query(`SELECT count(*)::INT AS n FROM posts`);
      assert.equal(posts.rows[0].n, 1);
    });
  });

  it("shows nothing when no tenant is set, and the owner still sees everything", async () => {
    await asApi(null, async (client) => {
      for (const table of APPLICATION_TABLES) {
        const { rows } = await client.query(`SELECT count(*)::INT AS n FROM ${table}`);
        assert.equal(rows[0].n, 0, table);
      }
    });
    const owner = await withDb(dsn, (c) => c.query<{ n: number }>(`SELECT count(*)::INT AS n FROM posts`));
    assert.equal(owner.rows[0].n, 2);
  });

  it("refuses to write a row into another tenant", async () => {
    await asApi(tenants.a, async (client) => {
      await assert.rejects(
        client.query(`INSERT INTO sites (customer_id, name, slug) VALUES ($1, 'Intruder', 'intruder')`, [tenants.b]),
        (error: { code?: string }) => error.code === "42501",
      );
      const updated = await client.query(`UPDATE sites SET name = 'x' WHERE id = $1`, [tenants.site_b]);
      assert.equal(updated.rowCount, 0);
    });
  });
});
