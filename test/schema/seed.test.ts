/** The default tenant: created, idempotent, parameterised, and bound rather than spliced. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { migratorFor, withDb } from "../support/engine";
import { startPostgres, type TestPostgres } from "../support/postgres";

let pg: TestPostgres;
before(async () => {
  pg = await startPostgres();
});
after(() => pg?.stop());

const snapshot = (dsn: string) =>
  withDb(dsn, async (client) => ({
    customers: (await client.query(`SELECT id, name, slug, created_at, updated_at FROM customers ORDER BY slug`)).rows,
    sites: (await client.query(`SELECT id, customer_id, name, slug, created_at, updated_at FROM sites ORDER BY slug`))
      .rows,
    domains: (await client.query(`SELECT id, site_id, hostname, is_primary, updated_at FROM domains ORDER BY hostname`))
      .rows,
  }));

describe("default seed", () => {
  it("creates the default customer and site with the defaults", async () => {
    const dsn = await pg.createDatabase();
    const result = await (await migratorFor(dsn)).up();
    const state = await snapshot(dsn);
    assert.deepEqual(
      state.customers.map((c) => [c.name, c.slug, c.id]),
      [["Default Customer", "default", result.seed?.customerId]],
    );
    assert.deepEqual(
      state.sites.map((s) => [s.name, s.slug, s.customer_id, s.id]),
      [["Default Site", "default", result.seed?.customerId, result.seed?.siteId]],
    );
    assert.deepEqual(state.domains, []);
  });

  it("changes nothing when applied twice", async () => {
    const dsn = await pg.createDatabase();
    const seed = {
      customerName: "Acme",
      customerSlug: "acme",
      siteName: "Acme Blog",
      siteSlug: "blog",
      siteHostname: "blog.acme.example",
    };
    const first = await (await migratorFor(dsn, { seed })).up();
    const before = await snapshot(dsn);
    const second = await (await migratorFor(dsn, { seed })).up();
    assert.deepEqual(await snapshot(dsn), before);
    assert.deepEqual(second.seed, { customerId: first.seed?.customerId, siteId: first.seed?.siteId });
    assert.equal(before.domains.length, 1);
    assert.equal(before.domains[0].is_primary, true);
  });

  it("updates names in place when the parameters change, keeping the ids", async () => {
    const dsn = await pg.createDatabase();
    const first = await (await migratorFor(dsn)).up();
    const second = await (
      await migratorFor(dsn, {
        seed: {
          customerName: "Renamed",
          customerSlug: "default",
          siteName: "Renamed Site",
          siteSlug: "default",
          siteHostname: "www.example.org",
        },
      })
    ).up();
    assert.equal(second.seed?.customerId, first.seed?.customerId);
    const state = await snapshot(dsn);
    assert.deepEqual(
      state.customers.map((c) => c.name),
      ["Renamed"],
    );
    assert.deepEqual(
      state.domains.map((d) => [d.hostname, d.is_primary]),
      [["www.example.org", true]],
    );
  });

  it("binds values: a name full of SQL is stored verbatim", async () => {
    const dsn = await pg.createDatabase();
    const name = "O'Brien'); DROP TABLE customers; --";
    await (
      await migratorFor(dsn, { seed: { customerName: name, customerSlug: "obrien", siteName: "S", siteSlug: "s" } })
    ).up();
    const state = await snapshot(dsn);
    assert.deepEqual(
      state.customers.map((c) => c.name),
      [name],
    );
  });

  it("refuses a hostname already mapped to another site, changing nothing", async () => {
    const dsn = await pg.createDatabase();
    await (
      await migratorFor(dsn, {
        seed: { customerName: "A", customerSlug: "a", siteName: "A", siteSlug: "a", siteHostname: "taken.example.com" },
      })
    ).up();
    const before = await snapshot(dsn);
    await assert.rejects(
      (
        await migratorFor(dsn, {
          seed: {
            customerName: "B",
            customerSlug: "b",
            siteName: "B",
            siteSlug: "b",
            siteHostname: "taken.example.com",
          },
        })
      ).up(),
      /hostname 'taken.example.com' is already mapped to another site/,
    );
    assert.deepEqual(await snapshot(dsn), before);
  });
});
