/**
 * The stack's configuration (namespace `agoat-database`), typed and validated when the program
 * starts. A bad or missing value stops the program with one line that names the key and says how
 * to fix it; a secret value is never echoed.
 */
import * as pulumi from "@pulumi/pulumi";
import { parseDsn, pemProblem } from "../dbmigrate/connection";
import { DbMigrateError } from "../dbmigrate/errors";
import { DEFAULT_SEED, seedProblems, type SeedParams } from "../dbmigrate/seed";

/** The config namespace: the project name. */
export const CONFIG_NAMESPACE = "agoat-database";

/** Where the DSN and CA certificate live. */
export type SecretStore = "gcp" | "none";
/** What `pulumi destroy` does to the database. */
export type Teardown = "retain" | "drop";

/** Defaults of the optional keys. */
export const CONFIG_DEFAULTS = { secretStore: "gcp" as SecretStore, teardown: "retain" as Teardown, protect: false };

/** The validated configuration. */
export interface StackConfig {
  /** `gcp`: Secret Manager holds the DSN and CA; `none`: no cloud resources (local and test stacks). */
  secretStore: SecretStore;
  /** The DSN, a Pulumi secret. */
  databaseUrl: pulumi.Output<string>;
  /** The CA certificate (PEM) that verifies the cluster; optional only with `secretStore: none`. */
  caCert?: string;
  /** GCP project (from `gcp:project`); set in gcp mode. */
  project?: string;
  /** IAM members granted `roles/secretmanager.secretAccessor` on the two secrets. */
  secretAccessors: string[];
  /** Replica locations for user-managed replication; empty means automatic replication. */
  secretReplicaLocations: string[];
  /** The default tenant. */
  seed: SeedParams;
  teardown: Teardown;
  /** Protect the secrets and the schema from deletion (prod). */
  protect: boolean;
  /** The stack name, used in labels and resource names. */
  environment: string;
}

/** A configuration problem: one line naming the key and the fix. */
export class ConfigError extends pulumi.RunError {
  constructor(key: string, problem: string, fix: string) {
    super(`${CONFIG_NAMESPACE}:${key} ${problem}: ${fix}`);
  }
}

const setHint = (key: string, example: string, secret = false) =>
  `set it with \`pulumi config set ${secret ? "--secret " : ""}${CONFIG_NAMESPACE}:${key} ${example}\``;

/** Reads and validates the stack's configuration. */
export function loadConfig(
  config = new pulumi.Config(CONFIG_NAMESPACE),
  gcpConfig = new pulumi.Config("gcp"),
  stack = pulumi.getStack(),
): StackConfig {
  const secretStore = oneOf(config, "secretStore", ["gcp", "none"] as const, CONFIG_DEFAULTS.secretStore);
  const teardown = oneOf(config, "teardown", ["retain", "drop"] as const, CONFIG_DEFAULTS.teardown);

  // Read as plain text only to validate it; it leaves this function as a secret.
  const dsn = config.get("databaseUrl");
  if (!dsn)
    throw new ConfigError(
      "databaseUrl",
      "is missing",
      setHint("databaseUrl", "'postgresql://USER:PASSWORD@HOST:26257/agoat?sslmode=verify-full'", true),
    );
  try {
    parseDsn(dsn);
  } catch (error) {
    // The reason only: a config error never echoes the value, even redacted.
    const what =
      error instanceof DbMigrateError
        ? error.message.replace(/^the database URL /, "it ").replace(/ \(got '.*'\)$/, "")
        : "it does not parse";
    throw new ConfigError(
      "databaseUrl",
      `is not a valid DSN (${what})`,
      setHint("databaseUrl", "'postgresql://USER:PASSWORD@HOST:26257/agoat?sslmode=verify-full'", true),
    );
  }

  const caCert = config.get("caCert");
  if (caCert !== undefined) {
    const problem = pemProblem(caCert);
    if (problem)
      throw new ConfigError(
        "caCert",
        problem,
        `set it from the cluster's CA file: \`pulumi config set ${CONFIG_NAMESPACE}:caCert -- "$(cat ca.crt)"\``,
      );
  } else if (secretStore === "gcp") {
    throw new ConfigError(
      "caCert",
      "is missing (required with secretStore gcp)",
      `set it from the cluster's CA file: \`pulumi config set ${CONFIG_NAMESPACE}:caCert -- "$(cat ca.crt)"\``,
    );
  }

  const project = gcpConfig.get("project");
  if (secretStore === "gcp" && !project)
    throw new pulumi.RunError(
      "gcp:project is missing (required with secretStore gcp): set it with `pulumi config set gcp:project my-project`",
    );

  const secretAccessors = stringList(config, "secretAccessors");
  for (const member of secretAccessors) {
    if (!/^(serviceAccount|user|group|principal|principalSet):\S+$/.test(member)) {
      throw new ConfigError(
        "secretAccessors",
        `has '${member}', which is not an IAM member`,
        "use entries like serviceAccount:api@PROJECT.iam.gserviceaccount.com",
      );
    }
  }
  const secretReplicaLocations = stringList(config, "secretReplicaLocations");
  for (const location of secretReplicaLocations) {
    if (!/^[a-z]+-[a-z]+\d+$/.test(location))
      throw new ConfigError(
        "secretReplicaLocations",
        `has '${location}', which is not a GCP region`,
        "use regions like europe-west1",
      );
  }

  return {
    secretStore,
    databaseUrl: pulumi.secret(dsn),
    caCert,
    project,
    secretAccessors,
    secretReplicaLocations,
    seed: seedConfig(config),
    teardown,
    protect: boolean(config, "protect", CONFIG_DEFAULTS.protect),
    environment: stack,
  };
}

function oneOf<T extends string>(config: pulumi.Config, key: string, allowed: readonly T[], fallback: T): T {
  const value = config.get(key);
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(
      key,
      `must be ${allowed.map((a) => `'${a}'`).join(" or ")} (got '${value}')`,
      setHint(key, fallback),
    );
  }
  return value as T;
}

function boolean(config: pulumi.Config, key: string, fallback: boolean): boolean {
  const value = config.get(key);
  if (value === undefined) return fallback;
  if (value !== "true" && value !== "false")
    throw new ConfigError(key, `must be true or false (got '${value}')`, setHint(key, String(fallback)));
  return value === "true";
}

function stringList(config: pulumi.Config, key: string): string[] {
  const value = objectOf(config, key);
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw new ConfigError(
      key,
      "must be a list of strings",
      `set it with \`pulumi config set --path '${CONFIG_NAMESPACE}:${key}[0]' VALUE\``,
    );
  }
  return value as string[];
}

function objectOf(config: pulumi.Config, key: string): unknown {
  const raw = config.get(key);
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    throw new ConfigError(
      key,
      "is not valid YAML/JSON structured config",
      `set fields with \`pulumi config set --path '${CONFIG_NAMESPACE}:${key}.FIELD' VALUE\``,
    );
  }
}

/** Where each seed field lives in the config. */
const SEED_KEYS: Record<keyof SeedParams, string> = {
  customerName: "defaultCustomer.name",
  customerSlug: "defaultCustomer.slug",
  siteName: "defaultSite.name",
  siteSlug: "defaultSite.slug",
  siteHostname: "defaultSite.hostname",
};

function seedConfig(config: pulumi.Config): SeedParams {
  const customer = record(objectOf(config, "defaultCustomer"), "defaultCustomer");
  const site = record(objectOf(config, "defaultSite"), "defaultSite");
  const seed = {
    customerName: customer.name ?? DEFAULT_SEED.customerName,
    customerSlug: customer.slug ?? DEFAULT_SEED.customerSlug,
    siteName: site.name ?? DEFAULT_SEED.siteName,
    siteSlug: site.slug ?? DEFAULT_SEED.siteSlug,
    siteHostname: site.hostname,
  };
  const [first] = seedProblems(seed);
  if (first) {
    const key = SEED_KEYS[first[0]];
    throw new ConfigError(key, first[1], `set it with \`pulumi config set --path '${CONFIG_NAMESPACE}:${key}' VALUE\``);
  }
  return seed as SeedParams;
}

function record(value: unknown, key: string): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ConfigError(
      key,
      "must be an object",
      `set fields with \`pulumi config set --path '${CONFIG_NAMESPACE}:${key}.name' VALUE\``,
    );
  }
  const allowed = key === "defaultCustomer" ? ["name", "slug"] : ["name", "slug", "hostname"];
  const unknown = Object.keys(value).filter((k) => !allowed.includes(k));
  if (unknown.length > 0)
    throw new ConfigError(key, `has unknown field '${unknown[0]}'`, `use only ${allowed.join(", ")}`);
  return value as Record<string, unknown>;
}
