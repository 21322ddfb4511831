/**
 * docs/queries.md against the schema: every catalog query is served by the index it names, on a
 * data set large enough that a sequential scan would otherwise win, and every index is named.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { loadDataset, type SampleParams } from "../support/dataset";
import { withDb, migratedDatabase } from "../support/engine";
import { startPostgres, type TestPostgres } from "../support/postgres";
import { bindPlaceholders, readQueryCatalog } from "../support/query-catalog";

const catalog = readQueryCatalog();
let pg: TestPostgres;
let dsn: string;
let params: SampleParams;

before(async () => {
  pg = await startPostgres();
  dsn = await migratedDatabase(pg);
  params = await withDb(dsn, (client) =>
    loadDataset(client, { tenants: 2000, sitesPerTenant: 2, usersPerTenant: 5, postsPerSite: 20 }),
  );
});
after(() => pg?.stop());

describe("query catalog (docs/queries.md)", () => {
  it("lists at least the queries the issue names", () => {
    assert.ok(catalog.length >= 14, `found ${catalog.length} queries`);
  });

  it("names every secondary index of the schema, and only indexes that exist", async () => {
    const rows = await withDb(dsn, (client) =>
      client.query<{ indexname: string }>(
        `SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND indexname NOT LIKE '%_pkey'
            AND indexname NOT LIKE '%_customer_id_id_key' AND tablename NOT LIKE 'schema_migrations%'
            AND tablename <> 'default_tenant' ORDER BY 1`,
      ),
    );
    const indexes = rows.rows.map((r) => r.indexname);
    assert.deepEqual([...new Set(catalog.map((q) => q.index))].sort(), indexes);
    assert.equal(
      indexes.filter((i) => i !== "site_settings_site_key_key").length,
      13,
      "the seed promises 13 purpose-built indexes",
    );
  });

  for (const query of catalog) {
    it(`${query.id} (${query.title}) uses ${query.index}`, async () => {
      const { text, values } = bindPlaceholders(query.sql, params);
      const plan = await withDb(dsn, async (client) => {
        const result = await client.query<{ "QUERY PLAN": unknown }>(`EXPLAIN (FORMAT JSON) ${text}`, values);
        await client.query(text, values); // and it runs
        return JSON.stringify(result.rows[0]["QUERY PLAN"]);
      });
      assert.match(plan, new RegExp(`"Index Name":"${query.index}"`), plan);
    });
  }

  it("would not use the index without it (the data set is large enough to matter)", async () => {
    const q6 = catalog.find((q) => q.index === "posts_site_published_idx")!;
    const { text, values } = bindPlaceholders(q6.sql, params);
    const plan = await withDb(dsn, async (client) => {
      await client.query("BEGIN");
      await client.query("DROP INDEX posts_site_published_idx");
      await client.query("DROP INDEX posts_site_slug_live_key");
      await client.query("DROP INDEX posts_author_updated_idx");
      const result = await client.query<{ "QUERY PLAN": unknown }>(`EXPLAIN (FORMAT JSON) ${text}`, values);
      await client.query("ROLLBACK");
      return JSON.stringify(result.rows[0]["QUERY PLAN"]);
    });
    assert.match(plan, /"Node Type":"Seq Scan"/);
    assert.doesNotMatch(plan, /posts_site_published_idx/);
  });
});
