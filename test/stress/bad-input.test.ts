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
import { connectTo, withDb } from "../support/engine";
import { startFakeSecretManager, type FakeSecretManager } from "../support/fake-secret-manager";
import { databaseOf, startPostgres, type TestPostgres } from "../support/postgres";
import { migrationsDir, tempDir } from "../support/temp";

let pg: TestPostgres;
let certs: TestCertificates;
let secrets: FakeSecretManager;
let dsn: string;
let silentPort: number;
let silent: net.Server;
/** A role without CREATE on schema public (the PostgreSQL 15 default for non-owners), on a fresh database. */
let nonOwnerDsn: string;
/** A database whose `schema_migrations` another tool made. */
let otherToolDsn: string;
/** A HOME without any GCP credentials. */
let bareHome: string;
const NON_OWNER_PASSWORD = "n0n-0wner-pa55";

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
  const tls = (url: string) => url.replace("127.0.0.1", "localhost") + "?sslmode=verify-full";
  nonOwnerDsn = tls(await pg.createDatabase());
  await pg.query("postgres", `CREATE ROLE non_owner LOGIN PASSWORD '${NON_OWNER_PASSWORD}'`);
  nonOwnerDsn = nonOwnerDsn.replace(`postgres:${pg.password}@`, `non_owner:${NON_OWNER_PASSWORD}@`);
  otherToolDsn = tls(await pg.createDatabase());
  await pg.query(
    databaseOf(otherToolDsn.replace(/\?.*$/, "")),
    "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, dirty BOOLEAN NOT NULL)",
  );
  bareHome = tempDir("agoat-home-");
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

type Case = [
  name: string,
  args: () => string[],
  env: () => Record<string, string>,
  exit: number,
  line: RegExp,
  /** Runs around the command (e.g. holds a lock); returns what ends it. */
  around?: () => Promise<() => Promise<void>>,
];
const ok = () => ({ DATABASE_URL: dsn, DATABASE_CA_CERT: certs.caCert });
const dirWith = (files: Record<string, string>) => migrationsDir(files);
const withCa = (url: string) => ({ DATABASE_URL: url, DATABASE_CA_CERT: certs.caCert });
const noCredentials = () => ({ HOME: bareHome, DATABASE_CA_CERT: certs.caCert });

/** Holds an ACCESS EXCLUSIVE lock on schema_migrations until the returned function runs. */
async function holdHistoryLock(): Promise<() => Promise<void>> {
  const client = await (await connectTo(dsn.replace("?sslmode=verify-full", "")))();
  await client.query("BEGIN");
  await client.query("LOCK TABLE schema_migrations IN ACCESS EXCLUSIVE MODE");
  return async () => {
    await client.query("ROLLBACK");
    await client.end();
  };
}

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
    "a draft (no statement yet) sharing a version with a migration",
    () => ["up", "--migrations-dir", dirWith({ "0002_draft.sql": "-- to do\n" })],
    ok,
    2,
    /^dbmigrate: two migration files share version 0002/,
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
    /^dbmigrate: --site-slug 'Main_Site' must be lower-case/,
  ],
  [
    "hostname with a scheme",
    () => ["up", "--site-hostname", "http://agoat.example"],
    ok,
    2,
    /^dbmigrate: --site-hostname 'http:\/\/agoat.example' must be a bare hostname without a scheme/,
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
    /^dbmigrate: --lock-timeout '-5' is not a positive number of milliseconds\. Give a whole number from 1 to/,
  ],
  [
    "new with no name",
    () => ["new", "--migrations-dir", migrationsDir()],
    ok,
    2,
    /^dbmigrate: '' is not a migration name/,
  ],
  [
    "an '@' typed for ':' in the DSN",
    () => ["status"],
    () => withCa(dsn.replace(`postgres:${pg.password}@`, `postgres@${pg.password}@`)),
    2,
    /^dbmigrate: the database URL has two '@' and no password: was an '@' typed for ':'\?\. Use postgresql:/,
  ],
  [
    "a DSN with a space in its password where the command goes",
    () => [dsn.replace(pg.password, "my secret pa55"), "status"],
    ok,
    2,
    /^dbmigrate: the first argument looks like a database URL, not a command\. Pass the URL as --database-url/,
  ],
  [
    "permission denied for schema public (PostgreSQL 15+, not the owner)",
    () => ["up"],
    () => withCa(nonOwnerDsn),
    1,
    /^dbmigrate: the database user lacks a privilege: permission denied for schema public \[SQLSTATE 42501\]\. PostgreSQL 15\+ no longer lets every user create in schema public/,
  ],
  [
    "a schema_migrations table left by another tool",
    () => ["status"],
    () => withCa(otherToolDsn),
    1,
    /^dbmigrate: the table public\.schema_migrations exists but is not dbmigrate's history \(column "name" does not exist\) \[SQLSTATE 42703\]\. Another migration tool's table\?/,
  ],
  [
    "options=-c search_path=nosuch",
    // A pending migration: the engine's own tables are schema-qualified, the migration's are not.
    () => ["up", "--migrations-dir", dirWith({ "0900_t.sql": "CREATE TABLE t900 (id INT);\n" })],
    () => withCa(`${dsn}&options=-c%20search_path%3Dnosuch`),
    1,
    /^dbmigrate: migration 0900_t.sql failed at line 1: no schema has been selected to create in \(.*0900_t.sql:1\) \[SQLSTATE 3F000\]\. Nothing of it was applied/,
  ],
  [
    "a statement timeout on the engine's own query",
    () => ["status", "--statement-timeout", "300"],
    ok,
    1,
    /^dbmigrate: a statement ran past the statement timeout and was cancelled: canceling statement due to statement timeout \[SQLSTATE 57014\]\. Raise --statement-timeout/,
    holdHistoryLock,
  ],
  [
    "an unencoded '%' in a wrong password",
    () => ["status"],
    () => withCa(dsn.replace(pg.password, "wr0ng%pa55")),
    1,
    /^dbmigrate: authentication failed for user 'postgres' at localhost:\d+ \[SQLSTATE 28P01\]/,
  ],
  [
    "--output into a missing folder",
    () => ["erd", "--output", "/nonexistent-agoat/docs/schema.md"],
    ok,
    2,
    /^dbmigrate: --output '\/nonexistent-agoat\/docs\/schema\.md': the folder '\/nonexistent-agoat\/docs' does not exist\. Create the folder first/,
  ],
  [
    "--database-url-secret without GCP credentials",
    () => ["status", "--database-url-secret", "projects/agoat/secrets/db-url"],
    noCredentials,
    1,
    /^dbmigrate: no valid GCP credentials to read projects\/agoat\/secrets\/db-url\/versions\/latest \(--database-url-secret\)\. Run `gcloud auth application-default login`/,
  ],
  [
    "--ca-cert-secret without GCP credentials",
    () => ["status", "--ca-cert-secret", "projects/agoat/secrets/ca"],
    () => ({ HOME: bareHome, DATABASE_URL: dsn }),
    1,
    /^dbmigrate: no valid GCP credentials to read projects\/agoat\/secrets\/ca\/versions\/latest \(--ca-cert-secret\)/,
  ],
  [
    "--connect-timeout past Node's timer",
    () => ["status", "--connect-timeout", "99999999999"],
    ok,
    2,
    /^dbmigrate: --connect-timeout 99999999999 is out of range: it must be from 100 to 600000 milliseconds/,
  ],
  [
    "--lock-lease past any sense",
    () => ["up", "--lock-lease", "99999999999"],
    ok,
    2,
    /^dbmigrate: --lock-lease 99999999999 is out of range: it must be from 500 to 3600000 milliseconds/,
  ],
  [
    "a statement_timeout the server rejects",
    () => ["status"],
    () => withCa(`${dsn}&options=-c%20statement_timeout%3Dsoon`),
    1,
    /^dbmigrate: the server at localhost:\d+ rejected a session setting: invalid value for parameter "statement_timeout": "soon" \[SQLSTATE 22023\]\. Check --statement-timeout/,
  ],
  [
    "erd on a database without the schema",
    () => ["erd"],
    () => withCa(nonOwnerDsn),
    1,
    /^dbmigrate: the database has none of the schema's tables: nothing to draw\. Run `dbmigrate up` on it first/,
  ],
  [
    "new past 9999",
    () => ["new", "one_more", "--migrations-dir", migrationsDir({ "9999_last.sql": "SELECT 1;\n" }, false)],
    ok,
    2,
    /^dbmigrate: no migration number left in .*: 9999 is the last four-digit version\. Fold the history/,
  ],
  [
    "a value starting with '-' given after a space",
    () => ["status", "--database-url", "-dsn"],
    ok,
    2,
    /^dbmigrate: --database-url needs a value, and the next argument starts with '-'\. A value that starts with '-' must be given as --database-url=VALUE$/,
  ],
  [
    "a value starting with '-' given as --flag=value is taken",
    () => ["status", "--database-url=-dsn"],
    ok,
    2,
    /^dbmigrate: the database URL is not a URL\./,
  ],
];

describe("bad input (CLI, real database)", () => {
  for (const [name, args, env, exit, line, around] of cases) {
    it(`${name}: exit ${exit}, one line, the error as JSON on stdout, database unchanged`, async () => {
      const before = await snapshot();
      const release = around ? await around() : undefined;
      let run;
      try {
        run = await runCli([...args(), "--json"], env());
      } finally {
        await release?.();
      }
      assert.equal(run.code, exit, run.stderr);
      // Progress lines may come first; the failure itself is one line.
      const errors = run.stderr.split("\n").filter((l) => l.startsWith("dbmigrate:"));
      assert.equal(errors.length, 1, run.stderr);
      assert.match(errors[0], line);
      assert.equal(run.stderr.trimEnd().split("\n").at(-1), errors[0]);
      // --json: a script reads the same failure from stdout.
      const { error } = JSON.parse(run.stdout) as { error: Record<string, unknown> };
      assert.deepEqual(Object.keys(error), [
        "message",
        "kind",
        "sqlState",
        "file",
        "line",
        "hint",
        "exitCode",
        "progress",
      ]);
      assert.ok(errors[0].startsWith(`dbmigrate: ${String(error.message)}`), `${errors[0]}\n${String(error.message)}`);
      assert.equal(error.exitCode, exit);
      const state = / \[SQLSTATE (\w{5})\]/.exec(errors[0]);
      assert.equal(error.sqlState, state ? state[1] : null);
      assert.doesNotMatch(errors[0], /unexpected failure/);
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
      for (const secret of ["wr0ng-pa55", "wr0ng%pa55", "my secret pa55", NON_OWNER_PASSWORD])
        assert.equal(output.includes(secret), false, output);
    }
  });
});

/**
 * Malformed and exotic DSNs (spaces, '@', '%', ':', '/', '#' in passwords, no host, key-value
 * form) through every command that connects, and typed where the command goes: each run ends in
 * exit 0 or one `dbmigrate:` line, and no output holds the password in any form.
 */
describe("malformed and exotic DSNs through every command", () => {
  /** Passwords a role really has: the DSN typed unencoded still connects, as with libpq. */
  const roles: Record<string, string> = {
    exotic_space: "s3cret pa55 w0rd",
    exotic_at: "p@55w0rd-at",
    exotic_colon: "pa:55:w0rd",
    exotic_percent: "pa%zz55w0rd",
  };
  const broken = ["pa/55w0rd-slash", "pa#55w0rd-hash", "pa55w0rd-typo", "pa55w0rd-kv", "wr0ng @:%/ pa55"];
  const secrets = [...Object.values(roles), ...broken];
  const outputs: string[] = [];
  let database: string;
  const hostPort = () => `localhost:${pg.port}`;

  before(async () => {
    const url = await pg.createDatabase();
    database = databaseOf(url);
    for (const [role, password] of Object.entries(roles))
      await pg.query("postgres", `CREATE ROLE ${role} LOGIN PASSWORD '${password.replace(/'/g, "''")}'`);
  });

  const corpus: [name: string, dsn: () => string, connects: boolean][] = [
    ...Object.entries(roles).map(([role, password]): [string, () => string, boolean] => [
      `unencoded password '${password}'`,
      () => `postgresql://${role}:${password}@${hostPort()}/${database}`,
      true,
    ]),
    ["'/' in the password", () => `postgresql://exotic_at:${broken[0]}@${hostPort()}/${database}`, false],
    ["'#' in the password", () => `postgresql://exotic_at:${broken[1]}@${hostPort()}/${database}`, false],
    ["'@' typed for ':'", () => `postgresql://exotic_at@${broken[2]}@${hostPort()}/${database}`, false],
    ["key-value DSN", () => `host=localhost port=${pg.port} dbname=${database} password=${broken[3]}`, false],
    ["no host", () => `postgresql://exotic_at:${encodeURIComponent(broken[4])}@/${database}`, false],
    [
      "wrong password of every kind",
      () => `postgresql://exotic_at:${encodeURIComponent(broken[4])}@${hostPort()}/${database}`,
      false,
    ],
  ];
  const commands = [
    ["status"],
    ["up", "--dry-run"],
    ["verify"],
    ["erd"],
    ["resolve", "0001", "--applied"],
    ["apply-complete"],
  ];

  for (const [name, dsn, connects] of corpus) {
    it(`${name}: one line or success on every command, never the password`, async () => {
      const runs = [];
      for (const command of commands) runs.push(await runCli([...command, "--database-url", dsn()]));
      runs.push(await runCli(["status", "--json"], { DATABASE_URL: dsn() }));
      runs.push(await runCli([dsn(), "status"]));
      for (const run of runs) {
        outputs.push(run.stdout, run.stderr);
        if (run.code === 0) continue;
        const errors = run.stderr.split("\n").filter((l) => l.startsWith("dbmigrate:"));
        assert.equal(errors.length, 1, run.stderr);
        assert.equal(run.stderr.trimEnd().split("\n").at(-1), errors[0]);
        assert.doesNotMatch(errors[0], /unexpected failure/);
      }
      // `status` with the DSN as typed: the ones a role really has connect.
      assert.equal(runs[0].code === 0, connects, runs[0].stderr);
    });
  }

  it("no output holds any of the passwords, raw or encoded", () => {
    assert.ok(outputs.length >= corpus.length * (commands.length + 2) * 2);
    for (const output of outputs)
      for (const secret of secrets)
        for (const form of [secret, encodeURIComponent(secret)])
          assert.equal(output.includes(form), false, `'${form}' in:\n${output}`);
  });
});
