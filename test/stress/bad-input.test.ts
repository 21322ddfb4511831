/**
 * Bad input through the CLI against one real, migrated PostgreSQL (TLS on): each case exits
 * non-zero with one clear line, leaves the database exactly as it was, and never prints the
 * password. (The stack config's bad values are in test/infra/stack.test.ts, the provider's check
 * failures in test/infra/database-schema-provider.test.ts.)
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { makeCertificates, type TestCertificates } from "../../scripts/certificates";
import { catalogSnapshot } from "../support/catalog";
import { capturedOutputs, runCli } from "../support/cli";
import { withDb } from "../support/engine";
import { startFakeSecretManager, type FakeSecretManager } from "../support/fake-secret-manager";
import { startPostgres, type TestPostgres } from "../support/postgres";
import { migrationsDir, tempDir } from "../support/temp";

let pg: TestPostgres;
let certs: TestCertificates;
let secrets: FakeSecretManager;
let dsn: string;
let silentPort: number;
let silent: net.Server;

before(async () => {
  // No IP address in the certificate: connecting by 127.0.0.1 is a hostname mismatch.
  certs = await makeCertificates(path.join(tempDir(), "certs"), ["localhost"], 2, []);
  pg = await startPostgres({ tls: { certFile: certs.serverCert, keyFile: certs.serverKey } });
  dsn = (await pg.createDatabase()).replace("127.0.0.1", "localhost") + "?sslmode=verify-full";
  secrets = await startFakeSecretManager();
  secrets.put("projects/agoat/secrets/db-url", dsn);
  secrets.put("projects/agoat/secrets/denied", dsn);
  secrets.deny("projects/agoat/secrets/denied");
  silent = net.createServer(() => undefined);
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  silentPort = (silent.address() as net.AddressInfo).port;
  const up = await runCli(["up", "--ca-cert", certs.caCert], { DATABASE_URL: dsn });
  assert.equal(up.code, 0, up.stderr);
});
after(async () => {
  silent?.close();
  await secrets?.stop();
  await pg?.stop();
});

const snapshot = async () =>
  withDb(dsn.replace("?sslmode=verify-full", ""), async (client) => ({
    catalog: await catalogSnapshot(client),
    history: (await client.query(`SELECT version, checksum, dirty, applied_at FROM schema_migrations ORDER BY version`))
      .rows,
    customers: (await client.query(`SELECT id, name, slug, updated_at FROM customers ORDER BY slug`)).rows,
    sites: (await client.query(`SELECT id, name, slug, updated_at FROM sites ORDER BY slug`)).rows,
    lock: (await client.query(`SELECT count(*)::INT AS n FROM schema_migrations_lock`)).rows,
  }));

type Case = [name: string, args: () => string[], env: () => Record<string, string>, exit: number, line: RegExp];
const ok = () => ({ DATABASE_URL: dsn, DATABASE_CA_CERT: certs.caCert });
const dirWith = (files: Record<string, string>) => migrationsDir(files);

const cases: Case[] = [
  [
    "malformed DSN",
    () => ["status"],
    () => ({ DATABASE_URL: "postgresql//localhost" }),
    2,
    /^dbmigrate: the database URL is not a URL\./,
  ],
  [
    "DSN with another scheme",
    () => ["status"],
    () => ({ DATABASE_URL: dsn.replace("postgresql:", "mysql:") }),
    2,
    /^dbmigrate: the database URL has scheme 'mysql:', not postgresql: \(got 'mysql:\/\/postgres:\*\*\*@localhost/,
  ],
  [
    "unknown sslmode",
    () => ["status"],
    () => ({ DATABASE_URL: dsn.replace("verify-full", "paranoid") }),
    2,
    /has an unknown sslmode 'paranoid'/,
  ],
  [
    "wrong password",
    () => ["status"],
    () => ({ ...ok(), DATABASE_URL: dsn.replace(pg.password, "wr0ng-pa55") }),
    1,
    /^dbmigrate: authentication failed for user 'postgres' at localhost:\d+ \[SQLSTATE 28P01\]/,
  ],
  [
    "unreachable host",
    () => ["status", "--connect-timeout", "400"],
    () => ({ DATABASE_URL: `postgresql://postgres:${pg.password}@127.0.0.1:${silentPort}/db` }),
    1,
    /^dbmigrate: timed out after 400 ms connecting to 127\.0\.0\.1:\d+/,
  ],
  [
    "verify-full without a CA",
    () => ["status"],
    () => ({ DATABASE_URL: dsn }),
    2,
    /^dbmigrate: the database URL asks for sslmode=verify-full but no CA certificate was given/,
  ],
  [
    "CA that is not PEM",
    () => ["status", "--ca-cert", "README.md"],
    () => ({ DATABASE_URL: dsn }),
    2,
    /^dbmigrate: the CA certificate file 'README.md' is not a PEM certificate/,
  ],
  [
    "CA that did not sign the server",
    () => ["status", "--ca-cert", certs.otherCaCert],
    () => ({ DATABASE_URL: dsn }),
    1,
    /^dbmigrate: TLS verification failed for localhost:\d+/,
  ],
  [
    "hostname mismatch",
    () => ["status", "--ca-cert", certs.caCert],
    () => ({ DATABASE_URL: dsn.replace("localhost", "127.0.0.1") }),
    1,
    /^dbmigrate: TLS hostname mismatch: the server certificate at 127\.0\.0\.1:\d+ is not valid for '127\.0\.0\.1'/,
  ],
  [
    "malformed secret name",
    () => ["status", "--database-url-secret", "db-url"],
    () => ({}),
    2,
    /^dbmigrate: --database-url-secret 'db-url' is not a Secret Manager secret name/,
  ],
  [
    "secret not found",
    () => ["status", "--database-url-secret", "projects/agoat/secrets/nope"],
    () => ({ SECRET_MANAGER_EMULATOR_HOST: secrets.host }),
    1,
    /^dbmigrate: secret version projects\/agoat\/secrets\/nope\/versions\/latest \(--database-url-secret\) was not found/,
  ],
  [
    "secret permission denied",
    () => ["status", "--database-url-secret", "projects/agoat/secrets/denied"],
    () => ({ SECRET_MANAGER_EMULATOR_HOST: secrets.host }),
    1,
    /^dbmigrate: permission denied reading secret version projects\/agoat\/secrets\/denied\/versions\/latest/,
  ],
  [
    "migration file with a bad name",
    () => ["up", "--migrations-dir", dirWith({ "3-tags.sql": "SELECT 1;" })],
    ok,
    2,
    /^dbmigrate: migration file '3-tags.sql' has a bad name/,
  ],
  [
    "duplicate version numbers",
    () => ["up", "--migrations-dir", dirWith({ "0002_again.sql": "SELECT 1;" })],
    ok,
    2,
    /^dbmigrate: two migration files share version 0002/,
  ],
  [
    "empty migration",
    () => ["up", "--migrations-dir", dirWith({ "0900_empty.sql": "-- to do\n" })],
    ok,
    2,
    /^dbmigrate: migration file '0900_empty.sql' has no SQL statement/,
  ],
  [
    "SQL syntax error",
    () => [
      "up",
      "--migrations-dir",
      dirWith({ "0900_typo.sql": "CREATE TABLE typo (\n  id UUID PRIMARY KEY,\n  n INTEGR\n);\n" }),
    ],
    ok,
    1,
    /^dbmigrate: migration 0900_typo.sql failed at line 3: type "integr" does not exist \(.*0900_typo.sql:3\) \[SQLSTATE 42704\]\. Nothing of it was applied/,
  ],
  [
    "a file PostgreSQL's parser rejects",
    () => ["up", "--migrations-dir", dirWith({ "0900_bad.sql": "CREATE TABLE t (\n  id UUID PRIMARY KEY,,\n);\n" })],
    ok,
    2,
    /^dbmigrate: 0900_bad.sql does not parse: syntax error at or near "," \(.*0900_bad.sql:2:23\)/,
  ],
  [
    "transaction control in a migration",
    () => [
      "up",
      "--migrations-dir",
      dirWith({ "0900_tx.sql": "BEGIN;\nCREATE TABLE t (id UUID PRIMARY KEY);\nCOMMIT;\n" }),
    ],
    ok,
    2,
    /^dbmigrate: migration file '0900_tx.sql' contains transaction control \(BEGIN\) \(.*0900_tx.sql:1:1\)\. Remove it/,
  ],
  [
    "SQL error on the CockroachDB path",
    () => [
      "up",
      "--engine",
      "cockroachdb",
      "--migrations-dir",
      dirWith({ "0900_typo.sql": "CREATE TABLE typo (id UUID PRIMARY KEY, n INTEGR);\n" }),
    ],
    ok,
    1,
    /^dbmigrate: migration 0900_typo.sql failed at line 1: .*\[SQLSTATE 42704\]\. Nothing of it was applied$/,
  ],
  [
    "invalid seed slug",
    () => ["up", "--site-slug", "Main_Site"],
    ok,
    2,
    /^dbmigrate: invalid seed parameter --site-slug: 'Main_Site' must be lower-case/,
  ],
  [
    "hostname with a scheme",
    () => ["up", "--site-hostname", "http://agoat.example"],
    ok,
    2,
    /^dbmigrate: invalid seed parameter --site-hostname: 'http:\/\/agoat.example' must be a bare hostname without a scheme/,
  ],
  [
    "upper-case hostname",
    () => ["up", "--site-hostname", "Agoat.Example"],
    ok,
    2,
    /must be lower case \('agoat.example'\)/,
  ],
  ["unknown engine", () => ["up", "--engine", "oracle"], ok, 2, /^dbmigrate: --engine 'oracle' is not an engine/],
  [
    "apply-complete on a migrated database",
    () => ["apply-complete"],
    ok,
    2,
    /^dbmigrate: refusing to apply the complete schema: the database is not empty/,
  ],
  [
    "changed applied migration",
    () => [
      "up",
      "--migrations-dir",
      migrationsDir({
        "0001_complete_schema.sql": readFileSync("migrations/0001_complete_schema.sql", "utf8") + "-- edited\n",
      }),
    ],
    ok,
    1,
    /^dbmigrate: 1 problem\(s\) with the migration history: 0001_complete_schema.sql was changed after it was applied/,
  ],
  [
    "resolve a migration that is not dirty",
    () => ["resolve", "0001", "--applied"],
    ok,
    2,
    /^dbmigrate: migration 0001 is not dirty\. Run `dbmigrate status`/,
  ],
  [
    "missing migrations folder",
    () => ["up", "--migrations-dir", "nowhere"],
    ok,
    2,
    /^dbmigrate: cannot read the migrations folder 'nowhere'/,
  ],
  [
    "bad lock timeout",
    () => ["up", "--lock-timeout=-5"],
    ok,
    2,
    /^dbmigrate: --lock-timeout '-5' is not a positive number of milliseconds$/,
  ],
  [
    "new with no name",
    () => ["new", "--migrations-dir", migrationsDir()],
    ok,
    2,
    /^dbmigrate: '' is not a migration name/,
  ],
];

describe("bad input (CLI, real database)", () => {
  for (const [name, args, env, exit, line] of cases) {
    it(`${name}: exit ${exit}, one line, database unchanged`, async () => {
      const before = await snapshot();
      const run = await runCli(args(), env());
      assert.equal(run.code, exit, run.stderr);
      // Progress lines may come first; the failure itself is one line.
      const errors = run.stderr.split("\n").filter((l) => l.startsWith("dbmigrate:"));
      assert.equal(errors.length, 1, run.stderr);
      assert.match(errors[0], line);
      assert.equal(run.stderr.trimEnd().split("\n").at(-1), errors[0]);
      assert.deepEqual(await snapshot(), before);
    });
  }

  it(`covers at least 25 cases (${cases.length})`, () => {
    assert.ok(cases.length >= 25);
  });

  it("never printed the password in any output", () => {
    assert.ok(capturedOutputs.length >= cases.length * 2);
    for (const output of capturedOutputs) {
      assert.doesNotMatch(output, new RegExp(pg.password));
      assert.doesNotMatch(output, /wr0ng-pa55/);
    }
  });
});
