/**
 * Connections over TLS to a real PostgreSQL with ssl=on and certificates made by the test, and
 * the DSN and CA read from Secret Manager through the real client and a local gRPC server.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { createConnect, resolveConnection } from "../../dbmigrate/connection";
import { Redactor } from "../../dbmigrate/redact";
import { capturedOutputs, runCli } from "../support/cli";
import { makeCertificates, type TestCertificates } from "../../scripts/certificates";
import { startFakeSecretManager, type FakeSecretManager } from "../support/fake-secret-manager";
import { startPostgres, type TestPostgres } from "../support/postgres";
import { tempDir } from "../support/temp";

let pg: TestPostgres;
let certs: TestCertificates;
let secrets: FakeSecretManager;
let dsn: string;

before(async () => {
  certs = await makeCertificates(path.join(tempDir(), "certs"), ["localhost"]);
  pg = await startPostgres({ tls: { certFile: certs.serverCert, keyFile: certs.serverKey } });
  dsn = await pg.createDatabase();
  secrets = await startFakeSecretManager();
});
after(async () => {
  await secrets?.stop();
  await pg?.stop();
});

const localhost = (url: string) => url.replace("127.0.0.1", "localhost");

describe("TLS", () => {
  it("connects with verify-full when the CA signed the server's certificate for that hostname", async () => {
    const run = await runCli(["status", "--json", "--ca-cert", certs.caCert], {
      DATABASE_URL: localhost(dsn) + "?sslmode=verify-full",
    });
    assert.equal(run.code, 0, run.stderr);
    const client = await (await createConnect({ dsn: localhost(dsn), caCert: readFileSync(certs.caCert, "utf8") }))();
    const { rows } = await client.query<{ ssl: boolean }>("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
    await client.end();
    assert.deepEqual(rows, [{ ssl: true }], "the session is encrypted");
  });

  it("takes the CA from sslrootcert in the DSN, and says when that file is missing", async () => {
    const run = await runCli(["status"], {
      DATABASE_URL: `${localhost(dsn)}?sslmode=verify-full&sslrootcert=${certs.caCert}`,
    });
    assert.equal(run.code, 0, run.stderr);
    const missing = await runCli(["status"], {
      DATABASE_URL: `${localhost(dsn)}?sslmode=verify-full&sslrootcert=/nope/ca.crt`,
    });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^dbmigrate: cannot read the CA certificate file '\/nope\/ca.crt': ENOENT\./);
  });

  it("refuses a server whose certificate the given CA did not sign", async () => {
    const run = await runCli(["status", "--ca-cert", certs.otherCaCert], { DATABASE_URL: localhost(dsn) });
    assert.equal(run.code, 1);
    assert.match(
      run.stderr,
      /^dbmigrate: TLS verification failed for localhost:\d+: .*\. Give the CA certificate that signed the server's certificate \(--ca-cert\)\n$/,
    );
  });

  it("refuses a hostname the certificate does not name", async () => {
    const certsElsewhere = await makeCertificates(path.join(tempDir(), "certs2"), ["db.agoat.internal"]);
    const other = await startPostgres({
      tls: { certFile: certsElsewhere.serverCert, keyFile: certsElsewhere.serverKey },
    });
    try {
      const url = localhost(await other.createDatabase());
      const run = await runCli(["status", "--ca-cert", certsElsewhere.caCert], { DATABASE_URL: url });
      assert.equal(run.code, 1);
      assert.match(
        run.stderr,
        /^dbmigrate: TLS hostname mismatch: the server certificate at localhost:\d+ is not valid for 'localhost'\./,
      );
    } finally {
      await other.stop();
    }
  });
});

describe("Secret Manager", () => {
  const env = () => ({ SECRET_MANAGER_EMULATOR_HOST: secrets.host });

  it("reads the DSN and the CA from secrets with the real client and verifies TLS with that CA", async () => {
    secrets.put("projects/agoat-test/secrets/db-url", localhost(dsn) + "?sslmode=verify-full");
    secrets.put("projects/agoat-test/secrets/db-ca", readFileSync(certs.caCert, "utf8"));
    const run = await runCli(
      [
        "up",
        "--database-url-secret",
        "projects/agoat-test/secrets/db-url",
        "--ca-cert-secret",
        "projects/agoat-test/secrets/db-ca/versions/1",
      ],
      env(),
    );
    assert.equal(run.code, 0, run.stderr);
    assert.ok(secrets.accessed.includes("projects/agoat-test/secrets/db-url/versions/latest"));
    assert.ok(secrets.accessed.includes("projects/agoat-test/secrets/db-ca/versions/1"));
  });

  it("says NOT_FOUND in one line naming the secret", async () => {
    const run = await runCli(["status", "--database-url-secret", "projects/agoat-test/secrets/missing"], env());
    assert.equal(run.code, 1);
    assert.equal(
      run.stderr,
      "dbmigrate: secret version projects/agoat-test/secrets/missing/versions/latest (--database-url-secret) was not found. Check the project and secret name, or create the secret (`pulumi up` on the stack does)\n",
    );
  });

  it("says PERMISSION_DENIED in one line with the role to grant", async () => {
    secrets.put("projects/agoat-test/secrets/locked", "postgresql://u:locked-pass-1@h/db");
    secrets.deny("projects/agoat-test/secrets/locked");
    const run = await runCli(["status", "--database-url-secret", "projects/agoat-test/secrets/locked"], env());
    assert.equal(run.code, 1);
    assert.equal(
      run.stderr,
      "dbmigrate: permission denied reading secret version projects/agoat-test/secrets/locked/versions/latest (--database-url-secret). Grant roles/secretmanager.secretAccessor on this secret to the identity running dbmigrate (config secretAccessors)\n",
    );
  });

  it("keeps a DSN read from a secret out of every message, even when it is wrong", async () => {
    secrets.put("projects/agoat-test/secrets/bad-pass", dsn.replace(pg.password, "s3cret-from-sm"));
    const run = await runCli(
      ["status", "--database-url-secret", "projects/agoat-test/secrets/bad-pass", "--verbose"],
      env(),
    );
    assert.equal(run.code, 1);
    assert.match(run.stderr, /authentication failed/);
    assert.doesNotMatch(run.stderr + run.stdout, /s3cret-from-sm/);
  });

  it("registers the secrets with the redactor before anything can print them", async () => {
    secrets.put("projects/agoat-test/secrets/plain", "postgresql://app:pl41n-pass@db.agoat.test:26257/agoat");
    const redactor = new Redactor();
    const resolved = await resolveConnection(
      { databaseUrlSecret: "projects/agoat-test/secrets/plain", secretManager: { emulatorHost: secrets.host } },
      redactor,
    );
    assert.equal(resolved.dsn.text, "postgresql://app:pl41n-pass@db.agoat.test:26257/agoat");
    assert.equal(
      redactor.redact(`echo pl41n-pass and ${resolved.dsn.text}`),
      "echo *** and postgresql://app:***@db.agoat.test:26257/agoat",
    );
  });

  it("never printed the database password", () => {
    for (const output of capturedOutputs) assert.doesNotMatch(output, new RegExp(`${pg.password}|locked-pass-1`));
  });
});
