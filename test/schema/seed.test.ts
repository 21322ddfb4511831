/** The default tenant: created, idempotent, parameterised, and bound rather than spliced. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { rmSync } from "node:fs";
import * as path from "node:path";
import { runCli } from "../support/cli";
import { loadMigrations } from "../../dbmigrate/migrations";
import { Migrator } from "../../dbmigrate/runner";
import { agoatMigrator } from "../../product";
import { connectTo, migratorFor, withDb } from "../support/engine";
import { failTimes, instrument } from "../support/faults";
import { migrationsDir } from "../support/temp";
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

  it("refuses a hostname already mapped to another site before any migration runs, changing nothing, exit 1", async () => {
    const dsn = await pg.createDatabase();
    await (await migratorFor(dsn)).up();
    await withDb(dsn, async (c) => {
      const customer = await c.query<{ id: string }>(
        `INSERT INTO customers (name, slug) VALUES ('B', 'b') RETURNING id`,
      );
      const site = await c.query<{ id: string }>(
        `INSERT INTO sites (customer_id, name, slug) VALUES ($1, 'B', 'b') RETURNING id`,
        [customer.rows[0].id],
      );
      await c.query(
        `INSERT INTO domains (customer_id, site_id, hostname, is_primary) VALUES ($1, $2, 'taken.example.com', true)`,
        [customer.rows[0].id, site.rows[0].id],
      );
    });
    const before = await snapshot(dsn);
    const dir = migrationsDir({ "0900_later.sql": "CREATE TABLE later_t (id UUID PRIMARY KEY);\n" });
    const run = await runCli(["up", "--migrations-dir", dir, "--site-hostname", "taken.example.com"], {
      DATABASE_URL: dsn,
    });
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /^dbmigrate: hostname 'taken.example.com' is already mapped to another site/);
    assert.deepEqual(await snapshot(dsn), before);
    const later = await withDb(dsn, (c) =>
      c.query(`SELECT 1 FROM information_schema.tables WHERE table_name = 'later_t'`),
    );
    assert.equal(later.rowCount, 0, "validated before any migration ran");
  });

  it("up without seed flags keeps the database's default tenant: no second customer or site", async () => {
    const dsn = await pg.createDatabase();
    const acme = {
      customerName: "Acme",
      customerSlug: "acme",
      siteName: "Acme Blog",
      siteSlug: "blog",
      siteHostname: "blog.acme.example",
    };
    const first = await (await migratorFor(dsn, { seed: acme })).up();
    const before = await snapshot(dsn);
    const run = await runCli(["up"], { DATABASE_URL: dsn });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /nothing to apply: schema and seed are up to date/);
    assert.deepEqual(await snapshot(dsn), before);
    const status = await (await migratorFor(dsn)).status();
    assert.equal(status.seed!.customerId, first.seed?.customerId);
    assert.equal(status.seed!.tenant?.customerSlug, "acme");
    assert.deepEqual(status.seedChanges, []);
  });

  it("with flags converges the default tenant in place, one audit row per change; dry run and status say what would change", async () => {
    const dsn = await pg.createDatabase();
    const first = await (await migratorFor(dsn, { seed: { siteHostname: "old.example.com" } })).up();
    const wanted = { customerName: "Renamed", siteSlug: "main", siteHostname: "new.example.com" };
    const dry = await (await migratorFor(dsn, { seed: wanted })).up({ dryRun: true });
    assert.deepEqual(
      dry.seedChanges.map((c) => [c.what, c.from, c.to]),
      [
        ["customerName", "Default Customer", "Renamed"],
        ["siteSlug", "default", "main"],
        ["siteHostname", "old.example.com", "new.example.com"],
      ],
    );
    const printed = await runCli(["status", "--site-hostname", "new.example.com"], { DATABASE_URL: dsn });
    assert.match(printed.stdout, /\nseed would change: primary hostname 'old.example.com' -> 'new.example.com'\n/);
    const result = await (await migratorFor(dsn, { seed: wanted })).up();
    assert.equal(result.seed?.customerId, first.seed?.customerId);
    assert.equal(result.seed?.siteId, first.seed?.siteId);
    const state = await snapshot(dsn);
    assert.deepEqual(
      state.customers.map((c) => [c.name, c.slug]),
      [["Renamed", "default"]],
    );
    assert.deepEqual(
      state.sites.map((s) => s.slug),
      ["main"],
    );
    assert.deepEqual(
      state.domains.map((d) => [d.hostname, d.is_primary]),
      [["new.example.com", true]],
      "renamed, not a second domain",
    );
    const audit = await withDb(dsn, (c) =>
      c.query<{ action: string; resource_type: string; changes: { what: string } }>(
        `SELECT action, resource_type, changes FROM audit_logs WHERE action LIKE 'seed.%' ORDER BY created_at, action, resource_type`,
      ),
    );
    assert.deepEqual(
      audit.rows
        .map((r) => [r.action, r.resource_type, r.changes.what])
        .slice(-3)
        .sort(),
      [
        ["seed.update", "customer", "customerName"],
        ["seed.update", "domain", "siteHostname"],
        ["seed.update", "site", "siteSlug"],
      ],
    );
  });

  it("records the default tenant once: a second default is impossible, and an existing database's default is recorded by 0004", async () => {
    const dsn = await pg.createDatabase();
    await (await migratorFor(dsn)).up();
    await withDb(dsn, async (c) => {
      const t = await c.query<{ customer_id: string; site_id: string }>(
        `SELECT customer_id, site_id FROM default_tenant`,
      );
      await assert.rejects(
        c.query(`INSERT INTO default_tenant (customer_id, site_id) VALUES ($1, $2)`, [
          t.rows[0].customer_id,
          t.rows[0].site_id,
        ]),
        (error: { code: string }) => error.code === "23505",
      );
    });
    // A database seeded before 0004 (as 'local'): 0004 records that tenant, and up adds no other.
    const old = await pg.createDatabase();
    const dir = migrationsDir();
    rmSync(path.join(dir, "0004_default_tenant.sql"));
    rmSync(path.join(dir, "0005_default_tenant_private.sql"));
    rmSync(path.join(dir, "0006_default_tenant_site_may_go.sql"));
    // The engine without the AGoat steps: no seed yet.
    await new Migrator({ connect: await connectTo(old), migrationsDir: dir }).up();
    await withDb(old, async (c) => {
      const id = await c.query<{ id: string }>(
        `INSERT INTO customers (name, slug) VALUES ('Local', 'local') RETURNING id`,
      );
      await c.query(`INSERT INTO sites (customer_id, name, slug) VALUES ($1, 'Local', 'local')`, [id.rows[0].id]);
    });
    const before = await (await migratorFor(old)).status();
    assert.equal(
      before.seed!.tenant?.customerSlug,
      "local",
      "status reads the pre-0004 default as 0004 will record it",
    );
    await (await migratorFor(old)).up();
    const state = await snapshot(old);
    assert.deepEqual(
      state.customers.map((c) => c.slug),
      ["local"],
    );
    const recorded = await withDb(old, (c) => c.query(`SELECT count(*)::INT AS n FROM default_tenant`));
    assert.equal(recorded.rows[0].n, 1);
  });

  it("a seed that fails after the migrations committed leaves every applied migration with its audit row, and says what was applied", async () => {
    const dsn = await pg.createDatabase();
    const connect = instrument(await connectTo(dsn), [], [failTimes(/^INSERT INTO customers/, "23514", 1)]);
    const files = await loadMigrations("migrations");
    await assert.rejects(agoatMigrator({ connect }).up(), (error: Error & { progress?: { applied: string[] } }) => {
      assert.deepEqual(
        error.progress?.applied,
        files.map((m) => m.file),
      );
      return true;
    });
    const audit = await withDb(dsn, (c) =>
      c.query<{ resource_id: string }>(
        `SELECT resource_id FROM audit_logs WHERE action = 'schema.migrate' ORDER BY resource_id`,
      ),
    );
    assert.deepEqual(
      audit.rows.map((r) => r.resource_id),
      files.map((m) => m.file),
    );
    const seeded = await (await migratorFor(dsn)).up();
    assert.deepEqual(seeded.applied, []);
    assert.ok(seeded.seed?.customerId, "the next up seeds");
  });
});
