/**
 * The stack's configuration (namespace `agoat-database`), read with Pulumi's typed Config and
 * validated against one zod schema when the program starts. Bad or missing values stop the program
 * with one line per bad key, naming it and saying how to fix it; a secret value is never echoed.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { SECRET_STORES, SETTINGS, settingEntries, TEARDOWNS, type Setting } from "../dbmigrate/inputs";
import type { SeedParams } from "../product/inputs";

/** The config namespace: the project name. */
export const CONFIG_NAMESPACE = "agoat-database";

/** Where the DSN and CA certificate live. */
export type SecretStore = (typeof SECRET_STORES)[number];
/** What `pulumi destroy` does to the database. */
export type Teardown = (typeof TEARDOWNS)[number];

const S = SETTINGS;

/** Defaults of the optional keys (from the settings catalog). */
export const CONFIG_DEFAULTS = {
  secretStore: S.secretStore.default,
  teardown: S.teardown.default,
  protect: S.protect.default,
};

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

const DSN_EXAMPLE = "'postgresql://USER:PASSWORD@HOST:26257/agoat?sslmode=verify-full'";
const CA_FIX = `set it from the cluster's CA file: \`pulumi config set ${CONFIG_NAMESPACE}:caCert -- "$(cat ca.crt)"\``;
const setHint = (key: string, example: string, secret = false) =>
  `set it with \`pulumi config set ${secret ? "--secret " : ""}${CONFIG_NAMESPACE}:${key} ${example}\``;
const pathHint = (key: string) => `set it with \`pulumi config set --path '${CONFIG_NAMESPACE}:${key}' VALUE\``;

/** The settings that are Pulumi config keys of our namespace, by key (`defaultSite.slug` for a field). */
const CONFIG_SETTINGS = new Map(
  settingEntries()
    .filter(([, setting]) => setting.configKey && !setting.configKey.includes(":"))
    .map(([, setting]) => [String(setting.configKey), setting]),
);

/** The fields of structured key `object` (`defaultSite`: name, slug, hostname), from the catalog. */
function fieldsOf(object: string): Map<string, Setting> {
  return new Map(
    [...CONFIG_SETTINGS]
      .filter(([key]) => key.startsWith(`${object}.`))
      .map(([key, s]) => [key.slice(object.length + 1), s]),
  );
}

/** What to do about a bad value of `key` (a top-level key, or `object.field`). */
function fixFor(key: string): string {
  if (key === "databaseUrl") return setHint(key, DSN_EXAMPLE, true);
  if (key === "caCert") return CA_FIX;
  const [head, field] = key.split(".");
  const fields = fieldsOf(head);
  if (fields.size > 0) return field ? pathHint(key) : `use only ${[...fields.keys()].join(", ")}`;
  const setting = CONFIG_SETTINGS.get(key);
  if (setting?.hint) return setting.hint;
  return setHint(key, setting?.default !== undefined ? String(setting.default) : "VALUE");
}

/** A structured key whose fields are settings; unknown fields are refused by name. */
function objectOf(object: string) {
  const fields = fieldsOf(object);
  const shape = Object.fromEntries([...fields].map(([field, setting]) => [field, setting.schema.optional()]));
  return z
    .strictObject(shape, {
      error: (issue) =>
        issue.code === "unrecognized_keys"
          ? `has unknown field '${issue.keys[0]}'`
          : `must be an object (${[...fields.keys()].join(", ")})`,
    })
    .default({});
}

/** A key that is empty counts as missing (Pulumi keeps `""` for a key set to nothing). */
const present = (value: unknown) => (value === "" ? undefined : value);

/** The stack config's shape, from the settings catalog; values arrive as Pulumi's typed Config reads them. */
const STACK_SCHEMA = z
  .object({
    secretStore: S.secretStore.schema.default(S.secretStore.default),
    teardown: S.teardown.schema.default(S.teardown.default),
    protect: S.protect.schema.default(S.protect.default),
    databaseUrl: z.preprocess(present, S.databaseUrl.schema),
    caCert: z.preprocess(present, S.caCert.schema.optional()),
    project: z.preprocess(present, S.project.schema.optional()),
    secretAccessors: S.secretAccessors.schema.default([]),
    secretReplicaLocations: S.secretReplicaLocations.schema.default([]),
    defaultCustomer: objectOf("defaultCustomer"),
    defaultSite: objectOf("defaultSite"),
  })
  .superRefine((config, ctx) => {
    // Across keys: what secretStore gcp needs.
    if (config.secretStore !== "gcp") return;
    if (config.caCert === undefined)
      ctx.addIssue({ code: "custom", path: ["caCert"], message: "is missing (required with secretStore gcp)" });
    if (!config.project)
      ctx.addIssue({ code: "custom", path: ["project"], message: "is missing (required with secretStore gcp)" });
  });

/**
 * Every key of the program's namespace (`agoat-database:<key>`) the schema reads. `project` is read
 * from the `gcp` namespace (`gcp:project`), so it is not one of ours.
 */
export const CONFIG_KEYS: readonly string[] = [...new Set([...CONFIG_SETTINGS.keys()].map((key) => key.split(".")[0]))];

type TenantPart = { name?: string; slug?: string; hostname?: string };

function seedOf(config: { defaultCustomer: TenantPart; defaultSite: TenantPart }): SeedParams {
  return {
    customerName: config.defaultCustomer.name ?? S.customerName.default,
    customerSlug: config.defaultCustomer.slug ?? S.customerSlug.default,
    siteName: config.defaultSite.name ?? S.siteName.default,
    siteSlug: config.defaultSite.slug ?? S.siteSlug.default,
    siteHostname: config.defaultSite.hostname,
  };
}

/** Structured keys, read with the typed `getObject`; a value that is not YAML/JSON becomes a problem line. */
const OBJECT_KEYS = ["secretAccessors", "secretReplicaLocations", "defaultCustomer", "defaultSite"] as const;

/** One line for one issue: `<ns>:<key> <problem>: <fix>` (gcp:project is in the gcp namespace). */
function issueLine(path: PropertyKey[], message: string): string {
  const key = path.filter((p) => typeof p === "string").join(".");
  if (key === "project") return `gcp:project ${message}: set it with \`pulumi config set gcp:project my-project\``;
  return `${CONFIG_NAMESPACE}:${key} ${message}: ${fixFor(key)}`;
}

/**
 * Reads and validates the stack's configuration. Every bad key is reported, one line each, in a
 * single error; secret values are never echoed.
 */
export function loadConfig(
  config = new pulumi.Config(CONFIG_NAMESPACE),
  gcpConfig = new pulumi.Config("gcp"),
  stack = pulumi.getStack(),
): StackConfig {
  const lines: string[] = [];
  const raw: Record<string, unknown> = {
    secretStore: config.get("secretStore"),
    teardown: config.get("teardown"),
    protect: config.get("protect"),
    // Read as plain text only to validate it; it leaves this function as a secret.
    databaseUrl: config.get("databaseUrl"),
    caCert: config.get("caCert"),
    project: gcpConfig.get("project"),
  };
  for (const key of OBJECT_KEYS) {
    try {
      raw[key] = config.getObject<unknown>(key);
    } catch {
      lines.push(
        `${CONFIG_NAMESPACE}:${key} is not valid YAML/JSON structured config: set fields with \`pulumi config set --path '${CONFIG_NAMESPACE}:${key}.FIELD' VALUE\``,
      );
    }
  }
  const parsed = STACK_SCHEMA.safeParse(raw);
  if (!parsed.success) {
    // One line per key: the first problem found for it.
    for (const issue of parsed.error.issues) {
      const line = issueLine(issue.path, issue.message);
      const key = line.slice(0, line.indexOf(" "));
      if (!lines.some((l) => l.startsWith(`${key} `))) lines.push(line);
    }
  }
  if (!parsed.success || lines.length > 0) throw new pulumi.RunError(lines.join("\n"));
  const value = parsed.data;
  return {
    secretStore: value.secretStore,
    databaseUrl: pulumi.secret(value.databaseUrl.text),
    caCert: value.caCert,
    project: value.project,
    secretAccessors: value.secretAccessors,
    secretReplicaLocations: value.secretReplicaLocations,
    seed: seedOf(value),
    teardown: value.teardown,
    protect: value.protect,
    environment: stack,
  };
}
