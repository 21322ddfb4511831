/**
 * Row-level security (migrations/0002, 0005) and the seed: a role that is not the tables' owner
 * cannot see the default tenant, so `status` and `up` say so in one line (exit 1) instead of
 * reporting it missing or creating a second one; a role exempt from RLS (BYPASSRLS) sees it.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { SeedError } from "../../dbmigrate/errors";
import { runCli } from "../support/cli";
import { migratedDatabase, migratorFor, withDb } from "../support/engine";
import { startPostgres, type TestPostgres } from "../support/postgres";

let pg: TestPostgres;
let ownerDsn: string;
let apiDsn: string;
let role: string;

const HIDDEN =
  /^row-level security hides the default tenant from role '\w+' \(default_tenant, customers, sites, domains, audit_logs\)/;

before(async () => {
  pg = await startPostgres();
  ownerDsn = await migratedDatabase(pg);
  role = `api_${randomBytes(4).toString("hex")}`;
  const password = randomBytes(12).toString("hex");
  await withDb(ownerDsn, async (client) => {
    // Every grant the engine needs (history, lock, seed), and still under row-level security.
    await client.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}' NOSUPERUSER NOBYPASSRLS`);
    await client.query(`GRANT USAGE ON SCHEMA public TO ${role}`);
    await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role}`);
    await client.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${role}`);
  });
  const url = new URL(ownerDsn);
  url.username = role;
  url.password = password;
  apiDsn = url.toString();
});
after(() => pg?.stop());

const customers = () =>
  withDb(ownerDsn, async (c) => (await c.query<{ id: string }>(`SELECT id FROM customers ORDER BY id`)).rows);

describe("the default tenant under row-level security", () => {
  it("status and up as a non-owner role say in one line that RLS hides it, and create nothing", async () => {
    const before = await customers();
    assert.equal(before.length, 1);
    const migrator = await migratorFor(apiDsn);
    await assert.rejects(migrator.status(), (e: Error) => e instanceof SeedError && HIDDEN.test(e.message));
    await assert.rejects(migrator.up(), (e: Error) => e instanceof SeedError && HIDDEN.test(e.message));
    await assert.rejects(migrator.up({ dryRun: true }), (e: Error) => e instanceof SeedError && HIDDEN.test(e.message));
    assert.deepEqual(await customers(), before);
  });

  it("the CLI prints that one line and exits 1, in --json too", async () => {
    const run = await runCli(["status"], { DATABASE_URL: apiDsn });
    assert.equal(run.code, 1, run.stderr);
    const lines = run.stderr.trim().split("\n");
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0], /row-level security hides the default tenant/);
    assert.match(lines[0], /BYPASSRLS/);
    const json = await runCli(["status", "--json"], { DATABASE_URL: apiDsn });
    assert.equal(json.code, 1, json.stderr);
    const { error } = JSON.parse(json.stdout) as { error: { message: string; kind: string; exitCode: number } };
    assert.match(error.message, HIDDEN);
    assert.deepEqual([error.kind, error.exitCode], ["SeedError", 1]);
  });

  it("a role exempt from RLS (BYPASSRLS) sees the tenant: present in status, up changes nothing", async () => {
    const [existing] = await customers();
    await withDb(ownerDsn, (c) => c.query(`ALTER ROLE ${role} BYPASSRLS`));
    try {
      const migrator = await migratorFor(apiDsn);
      const status = await migrator.status();
      assert.equal(status.pending, 0);
      assert.equal(status.seed?.customerId, existing.id);
      assert.deepEqual(status.seedChanges, []);
      const up = await migrator.up();
      assert.equal(up.seed?.customerId, existing.id);
      assert.deepEqual(await customers(), [existing]);
    } finally {
      await withDb(ownerDsn, (c) => c.query(`ALTER ROLE ${role} NOBYPASSRLS`));
    }
  });
});
