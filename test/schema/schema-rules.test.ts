/**
 * The schema's rules, each proven on a real PostgreSQL: a test per rule that fails when the rule
 * is broken.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { SqlClient } from "../../dbmigrate/db";
import { ENGINE_TABLES } from "../../dbmigrate/runner";
import { APPLICATION_TABLES } from "../../product/tables";
import { withDb, migratedDatabase } from "../support/engine";
import { databaseOf, startPostgres, type TestPostgres } from "../support/postgres";

let pg: TestPostgres;
let dsn: string;

before(async () => {
  pg = await startPostgres();
  dsn = await migratedDatabase(pg);
});
after(() => pg?.stop());

/** Runs `text` and resolves to the SQLSTATE it failed with (undefined when it succeeded). */
async function stateOf(client: SqlClient, text: string, values: unknown[] = []): Promise<string | undefined> {
  await client.query("SAVEPOINT attempt");
  try {
    await client.query(text, values);
    await client.query("RELEASE SAVEPOINT attempt");
    return undefined;
  } catch (error) {
    await client.query("ROLLBACK TO SAVEPOINT attempt");
    return (error as { code?: string }).code;
  }
}

/** Runs `work` in a transaction that is always rolled back, with two tenants in it. */
async function withTenants(work: (client: SqlClient, t: Record<string, string>) => Promise<void>): Promise<void> {
  await withDb(dsn, async (client) => {
    await client.query("BEGIN");
    try {
      const one = async (text: string, values: unknown[]) =>
        (await client.query<{ id: string }>(text, values)).rows[0].id;
      const t: Record<string, string> = {};
      for (const k of ["a", "b"]) {
        t[`customer_${k}`] = await one(`INSERT INTO customers (name, slug) VALUES ($1, $2) RETURNING id`, [
          `Tenant ${k}`,
          `tenant-${k}`,
        ]);
        t[`site_${k}`] = await one(
          `INSERT INTO sites (customer_id, name, slug) VALUES ($1, 'Site', 'site') RETURNING id`,
          [t[`customer_${k}`]],
        );
        t[`user_${k}`] = await one(
          `INSERT INTO users (customer_id, email, role) VALUES ($1, $2, 'author') RETURNING id`,
          [t[`customer_${k}`], `${k}@example.com`],
        );
      }
      await work(client, t);
    } finally {
      await client.query("ROLLBACK");
    }
  });
}

describe("schema rules", () => {
  it("has exactly the seed's tables plus the engine's own (history, lock, schema snapshots)", async () => {
    const rows = await pg.query<{ table_name: string }>(
      databaseOfDsn(),
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
    );
    assert.deepEqual(
      rows.map((r) => r.table_name),
      [...APPLICATION_TABLES, ...ENGINE_TABLES].sort(),
    );
  });

  it("gives every table a UUID primary key defaulting to gen_random_uuid(), and uses no sequence", async () => {
    const keys = await pg.query<{ table_name: string; data_type: string; column_default: string; is_nullable: string }>(
      databaseOfDsn(),
      `SELECT c.table_name, c.data_type, c.column_default, c.is_nullable
         FROM information_schema.table_constraints tc
         JOIN information_schema.key_column_usage k ON k.constraint_name = tc.constraint_name AND k.table_name = tc.table_name
         JOIN information_schema.columns c ON c.table_name = k.table_name AND c.column_name = k.column_name
        WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = 'public' ORDER BY c.table_name`,
    );
    assert.equal(keys.length, APPLICATION_TABLES.length + ENGINE_TABLES.length);
    for (const key of keys) {
      assert.deepEqual(
        [key.data_type, key.column_default, key.is_nullable],
        ["uuid", "gen_random_uuid()", "NO"],
        key.table_name,
      );
    }
    const sequences = await pg.query(databaseOfDsn(), `SELECT sequence_name FROM information_schema.sequences`);
    assert.deepEqual(sequences, []);
  });

  it("puts soft deletes and timestamps where the rules say", async () => {
    const cols = await pg.query<{
      table_name: string;
      column_name: string;
      data_type: string;
      is_nullable: string;
      column_default: string | null;
    }>(
      databaseOfDsn(),
      `SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns
        WHERE table_schema = 'public' AND column_name IN ('deleted_at', 'created_at', 'updated_at')`,
    );
    const has = (table: string, column: string) => cols.find((c) => c.table_name === table && c.column_name === column);
    for (const table of ["customers", "sites", "domains", "users", "posts", "iam_providers"]) {
      assert.equal(has(table, "deleted_at")?.data_type, "timestamp with time zone", `${table}.deleted_at`);
    }
    for (const table of APPLICATION_TABLES) {
      const created = has(table, "created_at");
      assert.deepEqual(
        [created?.data_type, created?.is_nullable, created?.column_default],
        ["timestamp with time zone", "NO", "now()"],
        table,
      );
      if (table !== "audit_logs")
        assert.equal(has(table, "updated_at")?.column_default, "now()", `${table}.updated_at`);
    }
  });

  it("rejects a bad slug, a bad hostname, an unknown role, provider type, status or metric", async () => {
    await withTenants(async (client, t) => {
      assert.equal(await stateOf(client, `INSERT INTO customers (name, slug) VALUES ('X', 'Bad_Slug')`), "23514");
      assert.equal(await stateOf(client, `INSERT INTO customers (name, slug) VALUES ('X', '-edge-')`), "23514");
      for (const hostname of [
        "https://example.com",
        "Example.com",
        "example.com/path",
        "example.com:443",
        "exa mple.com",
      ]) {
        assert.equal(
          await stateOf(client, `INSERT INTO domains (customer_id, site_id, hostname) VALUES ($1, $2, $3)`, [
            t.customer_a,
            t.site_a,
            hostname,
          ]),
          "23514",
          hostname,
        );
      }
      assert.equal(
        await stateOf(
          client,
          `INSERT INTO users (customer_id, email, role) VALUES ($1, 'x@example.com', 'superuser')`,
          [t.customer_a],
        ),
        "23514",
      );
      assert.equal(
        await stateOf(client, `INSERT INTO users (customer_id, email) VALUES ($1, 'Mixed@Example.com')`, [
          t.customer_a,
        ]),
        "23514",
      );
      assert.equal(
        await stateOf(
          client,
          `INSERT INTO iam_providers (customer_id, name, provider_type, client_id) VALUES ($1, 'p', 'ldap', 'c')`,
          [t.customer_a],
        ),
        "23514",
      );
      assert.equal(await stateOf(client, `UPDATE sites SET status = 'gone' WHERE id = $1`, [t.site_a]), "23514");
      assert.equal(
        await stateOf(
          client,
          `INSERT INTO tenant_usage (customer_id, metric, value, period_start, period_end) VALUES ($1, 'cpu', 1, now(), now() + interval '1 day')`,
          [t.customer_a],
        ),
        "23514",
      );
    });
  });

  it("rejects negative usage and a period that ends before it starts", async () => {
    await withTenants(async (client, t) => {
      const insert = `INSERT INTO tenant_usage (customer_id, metric, value, period_start, period_end) VALUES ($1, 'page_views', $2, $3, $4)`;
      assert.equal(await stateOf(client, insert, [t.customer_a, -1, "2026-01-01", "2026-02-01"]), "23514");
      assert.equal(await stateOf(client, insert, [t.customer_a, 1, "2026-02-01", "2026-01-01"]), "23514");
      assert.equal(await stateOf(client, insert, [t.customer_a, 1, "2026-01-01", "2026-02-01"]), undefined);
      assert.equal(
        await stateOf(client, insert, [t.customer_a, 2, "2026-01-01", "2026-02-01"]),
        "23505",
        "one row per tenant, site or none, metric, period",
      );
    });
  });

  it("rejects a post whose site or author belongs to another tenant", async () => {
    await withTenants(async (client, t) => {
      const insert = `INSERT INTO posts (customer_id, site_id, author_id, title, slug) VALUES ($1, $2, $3, 'T', 't')`;
      assert.equal(await stateOf(client, insert, [t.customer_a, t.site_b, t.user_a]), "23503", "site of tenant b");
      assert.equal(await stateOf(client, insert, [t.customer_a, t.site_a, t.user_b]), "23503", "author of tenant b");
      assert.equal(await stateOf(client, insert, [t.customer_a, t.site_a, t.user_a]), undefined);
      assert.equal(
        await stateOf(
          client,
          `INSERT INTO domains (customer_id, site_id, hostname) VALUES ($1, $2, 'cross.example.com')`,
          [t.customer_a, t.site_b],
        ),
        "23503",
      );
      assert.equal(
        await stateOf(
          client,
          `INSERT INTO site_settings (customer_id, site_id, key, value) VALUES ($1, $2, 'theme', '"dark"')`,
          [t.customer_b, t.site_a],
        ),
        "23503",
      );
    });
  });

  it("holds foreign keys: no site without its customer, no customer deleted under its sites", async () => {
    await withTenants(async (client, t) => {
      assert.equal(
        await stateOf(
          client,
          `INSERT INTO sites (customer_id, name, slug) VALUES ('00000000-0000-0000-0000-00000000abcd', 'S', 's')`,
        ),
        "23503",
      );
      assert.equal(await stateOf(client, `DELETE FROM customers WHERE id = $1`, [t.customer_a]), "23503");
    });
  });

  it("rejects a duplicate live hostname and accepts it again after the old mapping is soft-deleted", async () => {
    await withTenants(async (client, t) => {
      const insert = `INSERT INTO domains (customer_id, site_id, hostname) VALUES ($1, $2, 'blog.example.com')`;
      assert.equal(await stateOf(client, insert, [t.customer_a, t.site_a]), undefined);
      assert.equal(await stateOf(client, insert, [t.customer_b, t.site_b]), "23505");
      await client.query(`UPDATE domains SET deleted_at = now() WHERE hostname = 'blog.example.com'`);
      assert.equal(await stateOf(client, insert, [t.customer_b, t.site_b]), undefined);
    });
  });

  it("keeps one live primary domain per site, and one mapping per provider and external id", async () => {
    await withTenants(async (client, t) => {
      const primary = `INSERT INTO domains (customer_id, site_id, hostname, is_primary) VALUES ($1, $2, $3, true)`;
      assert.equal(await stateOf(client, primary, [t.customer_a, t.site_a, "one.example.com"]), undefined);
      assert.equal(await stateOf(client, primary, [t.customer_a, t.site_a, "two.example.com"]), "23505");
      const provider = (
        await client.query<{ id: string }>(
          `INSERT INTO iam_providers (customer_id, name, provider_type, client_id) VALUES ($1, 'okta', 'okta', 'cid') RETURNING id`,
          [t.customer_a],
        )
      ).rows[0].id;
      const mapping = `INSERT INTO iam_user_mappings (customer_id, provider_id, user_id, external_id) VALUES ($1, $2, $3, 'ext-1')`;
      assert.equal(await stateOf(client, mapping, [t.customer_a, provider, t.user_a]), undefined);
      assert.equal(await stateOf(client, mapping, [t.customer_a, provider, t.user_a]), "23505");
      const group = `INSERT INTO iam_group_mappings (customer_id, provider_id, external_group, role, site_id) VALUES ($1, $2, 'editors', 'editor', $3)`;
      assert.equal(await stateOf(client, group, [t.customer_a, provider, null]), undefined);
      assert.equal(
        await stateOf(client, group, [t.customer_a, provider, null]),
        "23505",
        "tenant-wide group mapping twice",
      );
      assert.equal(
        await stateOf(client, group, [t.customer_a, provider, t.site_a]),
        undefined,
        "the same group for one site",
      );
    });
  });

  it("stores an IAM client secret only as ciphertext with its key id", async () => {
    const columns = await pg.query<{ column_name: string; data_type: string }>(
      databaseOfDsn(),
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'iam_providers' AND column_name LIKE '%secret%' ORDER BY 1`,
    );
    assert.deepEqual(columns, [
      { column_name: "client_secret_ciphertext", data_type: "bytea" },
      { column_name: "client_secret_key_id", data_type: "text" },
    ]);
    await withTenants(async (client, t) => {
      assert.equal(
        await stateOf(
          client,
          `INSERT INTO iam_providers (customer_id, name, provider_type, client_id, client_secret_ciphertext) VALUES ($1, 'a', 'auth0', 'c', '\\x00')`,
          [t.customer_a],
        ),
        "23514",
        "ciphertext without the key id",
      );
    });
  });
});

function databaseOfDsn(): string {
  return databaseOf(dsn);
}
