/**
 * The stack's configuration (namespace `agoat-database`), read with Pulumi's typed Config and
 * validated against one zod schema when the program starts. Bad or missing values stop the program
 * with one line per bad key, naming it and saying how to fix it; a secret value is never echoed.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { DbMigrateError, DEFAULT_SEED, parseDsn, pemProblem, seedProblems, type SeedParams } from "../dbmigrate/inputs";

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

const DSN_EXAMPLE = "'postgresql://USER:PASSWORD@HOST:26257/agoat?sslmode=verify-full'";
const CA_FIX = `set it from the cluster's CA file: \`pulumi config set ${CONFIG_NAMESPACE}:caCert -- "$(cat ca.crt)"\``;
const setHint = (key: string, example: string, secret = false) =>
  `set it with \`pulumi config set ${secret ? "--secret " : ""}${CONFIG_NAMESPACE}:${key} ${example}\``;
const pathHint = (key: string) => `set it with \`pulumi config set --path '${CONFIG_NAMESPACE}:${key}' VALUE\``;

/** What to do about a bad value, by key (the first segment of the issue's path). */
const FIXES: Record<string, (key: string) => string> = {
  secretStore: (key) => setHint(key, CONFIG_DEFAULTS.secretStore),
  teardown: (key) => setHint(key, CONFIG_DEFAULTS.teardown),
  protect: (key) => setHint(key, String(CONFIG_DEFAULTS.protect)),
  databaseUrl: () => setHint("databaseUrl", DSN_EXAMPLE, true),
  caCert: () => CA_FIX,
  secretAccessors: () => "use entries like serviceAccount:api@PROJECT.iam.gserviceaccount.com",
  secretReplicaLocations: () => "use regions like europe-west1",
  defaultCustomer: (key) => (key === "defaultCustomer" ? "use only name, slug" : pathHint(key)),
  defaultSite: (key) => (key === "defaultSite" ? "use only name, slug, hostname" : pathHint(key)),
};

const listOf = (pattern: RegExp, what: string) =>
  z
    .array(
      z
        .string({ error: "must be a list of strings" })
        .regex(pattern, { error: (issue) => `has '${String(issue.input)}', which is not ${what}` }),
      { error: "must be a list of strings" },
    )
    .default([]);

const tenantPart = (fields: string) =>
  z
    .strictObject(
      { name: z.string().optional(), slug: z.string().optional(), hostname: z.string().optional() },
      {
        error: (issue) =>
          issue.code === "unrecognized_keys" ? `has unknown field '${issue.keys[0]}'` : `must be an object (${fields})`,
      },
    )
    .default({});

/** The stack config's shape; values arrive as Pulumi's typed Config reads them. */
const STACK_SCHEMA = z
  .object({
    secretStore: z
      .enum(["gcp", "none"], { error: (issue) => `must be 'gcp' or 'none' (got '${String(issue.input)}')` })
      .default(CONFIG_DEFAULTS.secretStore),
    teardown: z
      .enum(["retain", "drop"], { error: (issue) => `must be 'retain' or 'drop' (got '${String(issue.input)}')` })
      .default(CONFIG_DEFAULTS.teardown),
    protect: z
      .enum(["true", "false"], { error: (issue) => `must be true or false (got '${String(issue.input)}')` })
      .optional()
      .transform((value) => (value === undefined ? CONFIG_DEFAULTS.protect : value === "true")),
    databaseUrl: z
      .string({ error: "is missing" })
      .min(1, { error: "is missing" })
      .superRefine((dsn, ctx) => {
        const problem = dsnProblem(dsn);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
      }),
    caCert: z
      .string()
      .optional()
      .superRefine((pem, ctx) => {
        const problem = pem === undefined ? undefined : pemProblem(pem);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
      }),
    project: z.string().optional(),
    secretAccessors: listOf(/^(serviceAccount|user|group|principal|principalSet):\S+$/, "an IAM member"),
    secretReplicaLocations: listOf(/^[a-z]+-[a-z]+\d+$/, "a GCP region"),
    defaultCustomer: tenantPart("name, slug")
      .refine((c) => c.hostname === undefined, { error: "has unknown field 'hostname'" })
      .superRefine((customer, ctx) =>
        seedIssues(ctx, { defaultCustomer: customer, defaultSite: {} }, "defaultCustomer"),
      ),
    defaultSite: tenantPart("name, slug, hostname").superRefine((site, ctx) =>
      seedIssues(ctx, { defaultCustomer: {}, defaultSite: site }, "defaultSite"),
    ),
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
export const CONFIG_KEYS: readonly string[] = Object.keys(STACK_SCHEMA.shape).filter((key) => key !== "project");

/** Why `dsn` is not a DSN, in words that never echo it (not even redacted), or undefined. */
function dsnProblem(dsn: string): string | undefined {
  try {
    parseDsn(dsn);
    return undefined;
  } catch (error) {
    const what =
      error instanceof DbMigrateError
        ? error.message.replace(/^the database URL /, "it ").replace(/ \(got '.*'\)$/, "")
        : "it does not parse";
    return `is not a valid DSN (${what})`;
  }
}

/** The seed validator's problems with the fields under `part`, as issues at `part.field`. */
function seedIssues(
  ctx: z.RefinementCtx,
  parts: { defaultCustomer: TenantPart; defaultSite: TenantPart },
  part: "defaultCustomer" | "defaultSite",
): void {
  for (const [field, problem] of seedProblems(seedOf(parts))) {
    const [owner, key] = SEED_KEYS[field].split(".");
    if (owner === part) ctx.addIssue({ code: "custom", path: [key], message: problem });
  }
}

type TenantPart = { name?: string; slug?: string; hostname?: string };

/** Where each seed field lives in the config. */
const SEED_KEYS: Record<keyof SeedParams, string> = {
  customerName: "defaultCustomer.name",
  customerSlug: "defaultCustomer.slug",
  siteName: "defaultSite.name",
  siteSlug: "defaultSite.slug",
  siteHostname: "defaultSite.hostname",
};

function seedOf(config: { defaultCustomer: TenantPart; defaultSite: TenantPart }): SeedParams {
  return {
    customerName: config.defaultCustomer.name ?? DEFAULT_SEED.customerName,
    customerSlug: config.defaultCustomer.slug ?? DEFAULT_SEED.customerSlug,
    siteName: config.defaultSite.name ?? DEFAULT_SEED.siteName,
    siteSlug: config.defaultSite.slug ?? DEFAULT_SEED.siteSlug,
    siteHostname: config.defaultSite.hostname,
  };
}

/** Structured keys, read with the typed `getObject`; a value that is not YAML/JSON becomes a problem line. */
const OBJECT_KEYS = ["secretAccessors", "secretReplicaLocations", "defaultCustomer", "defaultSite"] as const;

/** One line for one issue: `<ns>:<key> <problem>: <fix>` (gcp:project is in the gcp namespace). */
function issueLine(path: PropertyKey[], message: string): string {
  const key = path.filter((p) => typeof p === "string").join(".");
  if (key === "project") return `gcp:project ${message}: set it with \`pulumi config set gcp:project my-project\``;
  const fix = FIXES[String(path[0])]?.(key) ?? setHint(key, "VALUE");
  return `${CONFIG_NAMESPACE}:${key} ${message}: ${fix}`;
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
    databaseUrl: pulumi.secret(value.databaseUrl),
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
