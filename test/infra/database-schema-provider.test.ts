/**
 * The DatabaseSchema provider through the SDK's real dynamic-provider host, over gRPC, against a
 * real PostgreSQL with TLS; in gcp mode with the real Secret Manager client and a local server.
 * The inputs are the ones the program registers under mocks, `__provider` included.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { loadMigrations } from "../../dbmigrate/migrations";
import { makeCertificates, type TestCertificates } from "../../scripts/certificates";
import { startFakeSecretManager, type FakeSecretManager } from "../support/fake-secret-manager";
import { databaseOf, startPostgres, type TestPostgres } from "../support/postgres";
import { startProviderHost, type ProviderHost } from "../support/provider-host";
import { only, runProgram } from "../support/pulumi-program";
import { copyProject } from "../support/pulumi-cli";
import { tempDir } from "../support/temp";
import { DATABASE_SCHEMA_TYPE } from "../../infra/database-schema";

const SCHEMA = DATABASE_SCHEMA_TYPE;
let pg: TestPostgres;
let certs: TestCertificates;
let ca: string;
let secrets: FakeSecretManager;
let host: ProviderHost;
const hosts: ProviderHost[] = [];

before(async () => {
  certs = await makeCertificates(path.join(tempDir(), "certs"), ["localhost"]);
  ca = readFileSync(certs.caCert, "utf8");
  pg = await startPostgres({ tls: { certFile: certs.serverCert, keyFile: certs.serverKey } });
  secrets = await startFakeSecretManager();
  host = await hostIn(process.cwd());
});
after(async () => {
  for (const h of hosts) await h.stop();
  await secrets?.stop();
  await pg?.stop();
});

async function hostIn(cwd: string): Promise<ProviderHost> {
  const started = await startProviderHost(cwd, { SECRET_MANAGER_EMULATOR_HOST: secrets.host });
  hosts.push(started);
  return started;
}

/** A fresh database and the schema inputs the local stack registers for it. */
async function localInputs(extra: Record<string, string> = {}) {
  const dsn = (await pg.createDatabase()).replace("127.0.0.1", "localhost") + "?sslmode=verify-full";
  const { resources } = await runProgram("local", {
    "agoat-database:databaseUrl": dsn,
    "agoat-database:caCert": ca,
    ...extra,
  });
  // As a preview registers them (the program runs under mocks as an update): check adds the preview-only lists.
  const inputs: Record<string, unknown> = { ...only(resources, SCHEMA).inputs, __preview: true };
  return { dsn, inputs };
}

/** Another checkout of the project at another path (what `pulumi` needs of it, Pulumi.yaml included). */
const projectCopy = (): string => copyProject();

/** A project copy with one more migration file, and the migrations input the program would send. */
async function checkoutWith(file: string, sql: string) {
  const checkout = projectCopy();
  writeFileSync(path.join(checkout, "migrations", file), sql);
  const migrations = (await loadMigrations(path.join(checkout, "migrations"))).map(({ file, checksum }) => ({
    file,
    checksum,
  }));
  return { checkout, migrations };
}

const tablesIn = async (dsn: string) =>
  (
    await pg.query<{ t: string }>(
      databaseOf(dsn),
      `SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
    )
  ).map((r) => r.t);

describe("DatabaseSchema provider (real provider host)", () => {
  it("checks, creates on a fresh database, and returns every output", async () => {
    const { dsn, inputs } = await localInputs();
    const checked = await host.check({}, inputs);
    assert.deepEqual(checked.failures, []);
    const files = await loadMigrations("migrations");
    assert.deepEqual(
      checked.inputs.pendingMigrations,
      files.map((m) => m.file),
    );
    const created = await host.create(checked.inputs);
    assert.match(created.id, /^localhost:\d+\/test_\d+_\d+$/);
    const out = created.properties;
    assert.deepEqual(out.appliedMigrations, inputs.__migrations);
    assert.equal(out.schemaVersion, files.at(-1)!.version);
    assert.equal(out.engine, "postgres");
    assert.match(String(out.serverVersion), /^PostgreSQL/);
    assert.match(String(out.defaultCustomerId), /^[0-9a-f-]{36}$/);
    assert.match(String(out.defaultSiteId), /^[0-9a-f-]{36}$/);
    assert.deepEqual(out.drift, []);
    assert.equal(out.__provider, inputs.__provider);
    assert.ok((await tablesIn(dsn)).includes("posts"));
    assert.match(host.stderr(), /applied 0001_complete_schema.sql in \d+ ms/);
    const hostnames = await pg.query(databaseOf(dsn), `SELECT hostname FROM domains WHERE is_primary`);
    assert.deepEqual(hostnames, [{ hostname: "localhost" }]);
  });

  it("reports no change for the same inputs (a no-op preview), and no replacement ever", async () => {
    const { inputs } = await localInputs();
    const created = await host.create((await host.check({}, inputs)).inputs);
    const again = await host.check(created.properties, inputs);
    assert.equal(again.inputs.pendingMigrations, undefined, "nothing to apply: no list at all");
    assert.deepEqual(await host.diff(created.id, created.properties, again.inputs), { changes: "none", replaces: [] });
    const seedChanged = { ...inputs, seed: { ...(inputs.seed as object), siteName: "Renamed" } };
    assert.deepEqual(await host.diff(created.id, created.properties, seedChanged), { changes: "some", replaces: [] });
    const newProvider = { ...inputs, __provider: String(inputs.__provider) + "\n// edited" };
    assert.equal(
      (await host.diff(created.id, created.properties, newProvider)).changes,
      "none",
      "a change to the provider's code alone is not a change",
    );
  });

  it("the preview refuses an applied migration edited since (its checksum in the state differs), with the line `up` prints, before any database I/O", async () => {
    const { inputs } = await localInputs();
    const applied = inputs.__migrations as { file: string; checksum: string }[];
    const edited = applied.map((m, k) => (k === 0 ? { ...m, checksum: "f".repeat(64) } : m));
    const checked = await host.check(inputs, { ...inputs, __migrations: edited });
    const reasons = checked.failures.map((f) => f.reason);
    assert.ok(
      reasons.includes(
        `${applied[0].file} was changed after it was applied (applied checksum ${applied[0].checksum}, file now ${"f".repeat(64)}): restore the file as applied and put the change in a new migration (\`dbmigrate new <name>\`)`,
      ),
      reasons.join("\n"),
    );
  });

  it("shows a new migration file as a change, and update applies it and returns all outputs (host in another checkout)", async () => {
    const { dsn, inputs } = await localInputs();
    const created = await host.create(inputs);
    const { checkout, migrations } = await checkoutWith(
      "0900_post_tags.sql",
      "CREATE TABLE post_tags (id UUID NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY, tag TEXT NOT NULL);\n",
    );
    const news = { ...inputs, __migrations: migrations };
    const other = await hostIn(checkout);
    const checked = await other.check(inputs, news);
    assert.deepEqual(checked.inputs.pendingMigrations, ["0900_post_tags.sql"], "the preview names the new file");
    const forUpdate = await other.check(inputs, { ...news, __preview: false });
    assert.equal(
      forUpdate.inputs.pendingMigrations,
      undefined,
      "an update's inputs (the state's) hold no preview list",
    );
    assert.deepEqual(await other.diff(created.id, created.properties, checked.inputs), {
      changes: "some",
      replaces: [],
    });
    const updated = await other.update(created.id, created.properties, checked.inputs);
    assert.equal(updated.pendingMigrations, undefined);
    assert.deepEqual(
      (updated.appliedMigrations as { file: string }[]).map((m) => m.file),
      [...(await loadMigrations("migrations")).map((m) => m.file), "0900_post_tags.sql"],
    );
    assert.equal(updated.schemaVersion, 900);
    assert.equal(updated.defaultCustomerId, created.properties.defaultCustomerId);
    assert.equal(updated.defaultSiteId, created.properties.defaultSiteId);
    assert.equal(updated.engine, "postgres");
    assert.ok((await tablesIn(dsn)).includes("post_tags"));
    assert.deepEqual(await other.diff(created.id, updated, news), { changes: "none", replaces: [] });
  });

  it("refresh reports drift after an out-of-band change, and the next update repairs the seed", async () => {
    const { dsn, inputs } = await localInputs();
    const created = await host.create(inputs);
    const clean = await host.read(created.id, created.properties);
    assert.deepEqual(clean.properties.drift, []);
    await pg.query(databaseOf(dsn), `UPDATE sites SET deleted_at = now()`);
    const refreshed = await host.read(created.id, created.properties);
    assert.deepEqual(refreshed.properties.drift, ["the default site 'local' is missing"]);
    assert.match(host.stderr(), /warning: drift: the default site 'local' is missing/);
    assert.equal((await host.diff(created.id, refreshed.properties, inputs)).changes, "some");
    const repaired = await host.update(created.id, refreshed.properties, inputs);
    assert.deepEqual(repaired.drift, []);
    assert.notEqual(repaired.defaultSiteId, created.properties.defaultSiteId);
    assert.equal((await host.diff(created.id, repaired, inputs)).changes, "none");
  });

  it("refresh reports a changed checksum and a migration missing from the history; update refuses with one line", async () => {
    const { dsn, inputs } = await localInputs();
    const created = await host.create(inputs);
    await pg.query(databaseOf(dsn), `UPDATE schema_migrations SET checksum = repeat('0', 64) WHERE version = 1`);
    await pg.query(databaseOf(dsn), `DELETE FROM schema_migrations WHERE version = 2`);
    const refreshed = await host.read(created.id, created.properties);
    const checksum = (inputs.__migrations as { checksum: string }[])[0].checksum;
    assert.deepEqual(refreshed.properties.drift, [
      `0001_complete_schema.sql was applied with checksum ${"0".repeat(64)}, the stack recorded ${checksum}`,
      "0002_tenant_row_level_security.sql is recorded in the stack but not applied in the database",
    ]);
    assert.equal((await host.diff(created.id, refreshed.properties, inputs)).changes, "some");
    await assert.rejects(host.update(created.id, refreshed.properties, inputs), (error: Error) => {
      assert.match(
        error.message,
        /0001_complete_schema.sql was changed after it was applied \(applied checksum 0{64}, file now [0-9a-f]{64}\)/,
      );
      return true;
    });
  });

  it("fails check (so the preview) with one line per lint error in the files the update would apply", async () => {
    const { inputs } = await localInputs();
    const created = await host.create(inputs);
    const { checkout, migrations } = await checkoutWith(
      "0900_drop_excerpt.sql",
      "-- 0003: the excerpt moves to metadata.\nALTER TABLE posts DROP COLUMN excerpt;\nLOCK TABLE posts;\n",
    );
    const other = await hostIn(checkout);
    const checked = await other.check(created.properties, { ...inputs, __migrations: migrations });
    assert.deepEqual(
      checked.failures.map((f) => [f.property, f.reason.replace(/ Fix: .*/, "")]),
      [
        [
          "migrations",
          "migrations/0900_drop_excerpt.sql:2:1: error drop-column: drops column posts.excerpt and its data.",
        ],
        [
          "migrations",
          'migrations/0900_drop_excerpt.sql:3:1: error crdb-syntax: CockroachDB 25.2 rejects it: at or near "lock": syntax error (SQLSTATE 42601).',
        ],
      ],
    );
    // The applied files are not linted again: only what this update adds.
    assert.deepEqual((await other.check(created.properties, inputs)).failures, []);
  });

  it("fails check with the property named, never echoing the password", async () => {
    const { inputs } = await localInputs();
    const bad = {
      ...inputs,
      databaseUrl: "mysql://app:ch3ck-pw-9@db/x",
      caCert: "not a certificate",
      seed: {
        customerName: "C",
        customerSlug: "Bad Slug",
        siteName: "S",
        siteSlug: "s",
        siteHostname: "https://x.example.com",
      },
      teardown: "burn",
    };
    const { failures } = await host.check({}, bad);
    assert.deepEqual(
      failures.map((f) => f.property),
      ["databaseUrl", "caCert", "seed.customerSlug", "seed.siteHostname", "teardown"],
    );
    assert.match(failures[0].reason, /has scheme 'mysql:', not postgresql:/);
    assert.doesNotMatch(JSON.stringify(failures), /ch3ck-pw-9/);
  });

  it("delete with teardown drop leaves nothing of the schema behind (run from another checkout)", async () => {
    const { dsn, inputs } = await localInputs();
    const created = await host.create(inputs);
    const other = await hostIn(projectCopy());
    await other.delete(created.id, created.properties);
    assert.deepEqual(await tablesIn(dsn), []);
  });

  it("delete with teardown retain leaves the data and says so", async () => {
    const { dsn, inputs } = await localInputs({ "agoat-database:teardown": "retain" });
    const created = await host.create(inputs);
    await host.delete(created.id, created.properties);
    assert.ok((await tablesIn(dsn)).includes("customers"));
    assert.match(host.stderr(), /teardown is 'retain': the schema and its data stay in the database/);
  });

  it("gcp mode: reads the DSN and CA from Secret Manager, keeps them out of the outputs, and names a denied secret", async () => {
    const dsn = (await pg.createDatabase()).replace("127.0.0.1", "localhost") + "?sslmode=verify-full";
    const { resources } = await runProgram("dev", { "agoat-database:databaseUrl": dsn, "agoat-database:caCert": ca });
    const inputs = only(resources, SCHEMA).inputs;
    secrets.put("projects/123456/secrets/agoat-dev-database-url", dsn);
    secrets.put("projects/123456/secrets/agoat-dev-database-ca-cert", ca);
    assert.deepEqual((await host.check({}, inputs)).failures, []);
    const created = await host.create(inputs);
    assert.equal(created.properties.schemaVersion, (await loadMigrations("migrations")).at(-1)!.version);
    assert.ok(secrets.accessed.includes("projects/123456/secrets/agoat-dev-database-url/versions/1"));
    const everything = JSON.stringify(created) + JSON.stringify(inputs.__provider) + host.stderr();
    assert.doesNotMatch(everything, new RegExp(pg.password));
    assert.doesNotMatch(everything, /BEGIN CERTIFICATE/);
    secrets.deny("projects/123456/secrets/agoat-dev-database-url");
    await assert.rejects(
      host.read(created.id, created.properties),
      /permission denied reading secret version projects\/123456\/secrets\/agoat-dev-database-url\/versions\/1 \(databaseUrlSecretVersion\)\. Grant roles\/secretmanager\.secretAccessor/,
    );
  });

  it("never wrote the database password to the host's output", () => {
    for (const h of hosts) assert.doesNotMatch(h.stderr(), new RegExp(pg.password));
  });
});
