/**
 * The program under `pulumi.runtime.setMocks`, for each committed stack's config: the exact
 * resources, names, parents, IAM members and options, and where the DSN may and may not appear.
 */
import assert from "node:assert/strict";
import { loadMigrations } from "../../dbmigrate/migrations";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import { makeCertificates } from "../../scripts/certificates";
import {
  loadStackConfig,
  only,
  runProgram,
  SECRET_SIG,
  SIG_KEY,
  valueOf,
  type Registered,
} from "../support/pulumi-program";
import { tempDir } from "../support/temp";
import { readStackFile } from "../../infra/stack-file";
import { DATABASE_SCHEMA_TYPE } from "../../infra/database-schema";

const DSN = "postgresql://app:Sup3r-S3cret-pw@db.agoat.test:26257/agoat?sslmode=verify-full";
let caCert: string;
before(async () => {
  caCert = readFileSync((await makeCertificates(path.join(tempDir(), "certs"))).caCert, "utf8");
});

const secrets = () => ({ "agoat-database:databaseUrl": DSN, "agoat-database:caCert": caCert });
const SECRETS = "agoat:database:DatabaseSecrets::database";
const SCHEMA = DATABASE_SCHEMA_TYPE;

/** Where the plaintext DSN occurs in `value`, outside a secret wrapper. */
function plaintextPlaces(value: unknown, where = ""): string[] {
  if (typeof value === "string") return value.includes("Sup3r-S3cret-pw") ? [where] : [];
  if (Array.isArray(value)) return value.flatMap((v, k) => plaintextPlaces(v, `${where}[${k}]`));
  if (value && typeof value === "object") {
    if ((value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG) return [];
    return Object.entries(value).flatMap(([k, v]) => plaintextPlaces(v, `${where}.${k}`));
  }
  return [];
}

function summary(resources: Registered[]) {
  return resources.filter((r) => r.type !== "pulumi:pulumi:Stack").map((r) => `${r.type}::${r.name}`);
}

describe("stack program (mocks)", () => {
  for (const stack of ["dev", "staging", "prod"]) {
    it(`${stack}: the secrets component, its children, IAM on the two secrets only, and the schema after the versions`, async () => {
      const { resources, outputs } = await runProgram(stack, secrets());
      const accessors = JSON.parse(readStackFile(stack)["agoat-database:secretAccessors"]) as string[];
      const memberName = (key: string, m: string) => `database-${key}-accessor-${m.replace(/[^a-zA-Z0-9]+/g, "-")}`;
      assert.deepEqual(summary(resources), [
        "agoat:database:DatabaseSecrets::database",
        "gcp:projects/service:Service::database-secretmanager-api",
        "gcp:secretmanager/secret:Secret::database-database-url",
        "gcp:secretmanager/secret:Secret::database-ca-cert",
        "gcp:secretmanager/secretVersion:SecretVersion::database-database-url-version",
        "gcp:secretmanager/secretVersion:SecretVersion::database-ca-cert-version",
        ...accessors.map((m) => `gcp:secretmanager/secretIamMember:SecretIamMember::${memberName("database-url", m)}`),
        ...accessors.map((m) => `gcp:secretmanager/secretIamMember:SecretIamMember::${memberName("ca-cert", m)}`),
        `${SCHEMA}::schema`,
      ]);
      for (const r of resources.filter((r) => r.type.startsWith("gcp:")))
        assert.equal(r.parent, SECRETS, `${r.name} is a child of the component`);

      const service = only(resources, "gcp:projects/service:Service");
      assert.deepEqual(service.inputs, {
        project: `agoat-${stack}`,
        service: "secretmanager.googleapis.com",
        disableOnDestroy: false,
        disableDependentServices: false,
      });

      const secretIds = resources
        .filter((r) => r.type === "gcp:secretmanager/secret:Secret")
        .map((r) => r.inputs.secretId);
      assert.deepEqual(secretIds, [`agoat-${stack}-database-url`, `agoat-${stack}-database-ca-cert`]);
      const replicas = JSON.parse(readStackFile(stack)["agoat-database:secretReplicaLocations"] ?? "[]") as string[];
      for (const secret of resources.filter((r) => r.type === "gcp:secretmanager/secret:Secret")) {
        assert.deepEqual(secret.inputs.labels, { app: "agoat-publisher", environment: stack });
        assert.deepEqual(
          secret.inputs.replication,
          replicas.length ? { userManaged: { replicas: replicas.map((location) => ({ location })) } } : { auto: {} },
        );
      }

      const grants = resources.filter((r) => r.type === "gcp:secretmanager/secretIamMember:SecretIamMember");
      assert.deepEqual(
        grants.map((g) => [g.inputs.secretId, g.inputs.role, g.inputs.member]).sort(),
        secretIds.flatMap((id) => accessors.map((m) => [id, "roles/secretmanager.secretAccessor", m])).sort(),
        "accessors get the accessor role on these two secrets and nothing else",
      );

      const schema = only(resources, SCHEMA);
      assert.deepEqual(schema.dependsOn, [
        "gcp:secretmanager/secretVersion:SecretVersion::database-database-url-version",
        "gcp:secretmanager/secretVersion:SecretVersion::database-ca-cert-version",
      ]);
      assert.equal(
        schema.inputs.databaseUrlSecretVersion,
        `projects/123456/secrets/agoat-${stack}-database-url/versions/1`,
      );
      assert.equal(
        schema.inputs.caCertSecretVersion,
        `projects/123456/secrets/agoat-${stack}-database-ca-cert/versions/1`,
      );
      assert.equal(schema.inputs.databaseUrl, undefined);
      assert.deepEqual(
        schema.inputs.__migrations,
        (await loadMigrations("migrations")).map(({ file, checksum }) => ({ file, checksum })),
      );
      assert.equal(schema.inputs.migrationsDir, "migrations");
      assert.equal(schema.inputs.teardown, "retain");

      assert.deepEqual(
        plaintextPlaces(resources.map((r) => r.inputs)),
        [],
        "the DSN appears only inside secret values",
      );
      const version = resources.find((r) => r.name === "database-database-url-version")!;
      assert.deepEqual(version.inputs.secretData, { [SIG_KEY]: SECRET_SIG, value: DSN });
      const provider = String(schema.inputs.__provider);
      assert.doesNotMatch(provider, /Sup3r-S3cret-pw|postgresql:\/\/|BEGIN CERTIFICATE/, "no secret in __provider");
      assert.doesNotMatch(provider, /\/(work|tmp|home|root)\//, "no absolute path in __provider");
      assert.match(provider, /require\("tsx\/cjs\/api"\)/, "dependencies are required inside the methods");

      assert.equal(await valueOf(outputs.databaseUrlSecretVersion), schema.inputs.databaseUrlSecretVersion);
      assert.equal(await valueOf(outputs.schemaVersion), 2);
    });
  }

  it("commits no secret in any stack file", () => {
    for (const stack of ["dev", "staging", "prod", "local"]) {
      // Comments may show the commands that set secrets; the config itself must hold none.
      const text = readFileSync(`Pulumi.${stack}.yaml`, "utf8").replace(/#.*$/gm, "");
      assert.doesNotMatch(text, /^\s*agoat-database:(databaseUrl|caCert):/m, `${stack} sets a secret`);
      assert.doesNotMatch(text, /secure:|postgres(ql)?:\/\/[^@\s]+:[^@\s]+@/, `${stack} holds a credential`);
    }
  });

  it("prod protects the secrets and the schema; dev does not", async () => {
    const prod = await runProgram("prod", secrets());
    assert.equal(prod.resources.find((r) => r.type === "agoat:database:DatabaseSecrets")!.protect, true);
    assert.equal(only(prod.resources, SCHEMA).protect, true);
    const dev = await runProgram("dev", secrets());
    assert.equal(dev.resources.find((r) => r.type === "agoat:database:DatabaseSecrets")!.protect, false);
    assert.equal(only(dev.resources, SCHEMA).protect, false);
  });

  it("local: no cloud resource; the schema gets the DSN as a secret and drops on teardown", async () => {
    const { resources } = await runProgram("local", { "agoat-database:databaseUrl": DSN });
    assert.deepEqual(summary(resources), [`${SCHEMA}::schema`]);
    const schema = only(resources, SCHEMA);
    assert.deepEqual(schema.inputs.databaseUrl, { [SIG_KEY]: SECRET_SIG, value: DSN });
    assert.equal(schema.inputs.teardown, "drop");
    assert.deepEqual(schema.inputs.seed, {
      customerName: "Default Customer",
      customerSlug: "default",
      siteName: "Local Site",
      siteSlug: "local",
      siteHostname: "localhost",
    });
    assert.doesNotMatch(String(schema.inputs.__provider), /Sup3r-S3cret-pw/);
  });

  const badConfigs: [string, Record<string, string>, RegExp][] = [
    [
      "missing databaseUrl",
      { "agoat-database:databaseUrl": "" },
      /^agoat-database:databaseUrl is missing: set it with `pulumi config set --secret agoat-database:databaseUrl/,
    ],
    [
      "malformed databaseUrl",
      { "agoat-database:databaseUrl": "db.agoat.test:26257" },
      /^agoat-database:databaseUrl is not a valid DSN \(it is not a URL\): set it with/,
    ],
    [
      "unknown secretStore",
      { "agoat-database:secretStore": "vault" },
      /^agoat-database:secretStore must be 'gcp' or 'none' \(got 'vault'\): set it with `pulumi config set agoat-database:secretStore gcp`$/,
    ],
    [
      "unknown teardown",
      { "agoat-database:teardown": "nuke" },
      /^agoat-database:teardown must be 'retain' or 'drop' \(got 'nuke'\)/,
    ],
    [
      "bad site slug",
      { "agoat-database:defaultSite": JSON.stringify({ name: "S", slug: "My Site" }) },
      /^agoat-database:defaultSite\.slug 'My Site' must be lower-case letters and digits in hyphen-separated words, like 'my-site': set it with `pulumi config set --path 'agoat-database:defaultSite\.slug' VALUE`$/,
    ],
    [
      "hostname with a scheme",
      { "agoat-database:defaultSite": JSON.stringify({ name: "S", slug: "s", hostname: "https://x.example.com" }) },
      /^agoat-database:defaultSite\.hostname 'https:\/\/x\.example\.com' must be a bare hostname without a scheme/,
    ],
    [
      "unknown field",
      { "agoat-database:defaultCustomer": JSON.stringify({ name: "C", slug: "c", plan: "gold" }) },
      /^agoat-database:defaultCustomer has unknown field 'plan': use only name, slug$/,
    ],
    [
      "bad accessor",
      { "agoat-database:secretAccessors": JSON.stringify(["api@example.com"]) },
      /^agoat-database:secretAccessors has 'api@example.com', which is not an IAM member/,
    ],
    [
      "bad replica region",
      { "agoat-database:secretReplicaLocations": JSON.stringify(["Europe"]) },
      /^agoat-database:secretReplicaLocations has 'Europe', which is not a GCP region/,
    ],
    [
      "CA that is not PEM",
      { "agoat-database:caCert": "not a certificate" },
      /^agoat-database:caCert is not a PEM certificate/,
    ],
    ["missing gcp:project", { "gcp:project": "" }, /^gcp:project is missing \(required with secretStore gcp\)/],
    [
      "protect not a boolean",
      { "agoat-database:protect": "yes" },
      /^agoat-database:protect must be true or false \(got 'yes'\)/,
    ],
  ];
  it("names every bad key, one line each, in one error", async () => {
    await assert.rejects(
      loadStackConfig("dev", {
        ...secrets(),
        "agoat-database:secretStore": "vault",
        "agoat-database:databaseUrl": "postgresql://u@Sup3r-S3cret-pw@db.agoat.test/agoat",
        "agoat-database:defaultSite": JSON.stringify({ slug: "My Site" }),
        "agoat-database:secretReplicaLocations": "[not yaml",
      }),
      (error: Error) => {
        const lines = error.message.split("\n");
        assert.deepEqual(
          lines.map((l) => l.split(" ")[0]),
          [
            "agoat-database:secretReplicaLocations",
            "agoat-database:secretStore",
            "agoat-database:databaseUrl",
            "agoat-database:defaultSite.slug",
          ],
          error.message,
        );
        assert.match(lines[0], /is not valid YAML\/JSON structured config: set fields with/);
        assert.match(lines[2], /is not a valid DSN \(it has two '@' and no password: was an '@' typed for ':'\?\)/);
        assert.doesNotMatch(error.message, /Sup3r-S3cret-pw/);
        return true;
      },
    );
  });

  for (const [what, extra, expected] of badConfigs) {
    it(`stops with one line naming the key: ${what}`, async () => {
      await assert.rejects(loadStackConfig("dev", { ...secrets(), ...extra }), (error: Error) => {
        assert.match(error.message, expected);
        assert.equal(error.message.split("\n").length, 1);
        assert.doesNotMatch(error.message, /Sup3r-S3cret-pw/);
        return true;
      });
    });
  }
});
