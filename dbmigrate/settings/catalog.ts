/**
 * Every setting of dbmigrate and of the Pulumi program, declared once: its flag, environment
 * variable, Pulumi config key, schema, default, bounds, help line and the commands that take it.
 * The CLI's parser, its help, its per-command checks, the stack config's validation
 * (infra/config.ts) and the provider's input check are all derived from this table.
 *
 * A new command lists itself in the groups below whose settings it takes (and in the registry,
 * commands/registry.ts); a new setting is one entry here.
 */
import { pemProblem } from "../connection";
import { DEFAULT_LOCK } from "../lock";
import { LOCK_TIMEOUT_BOUNDS } from "../migrations";
import { LINT_FORMATS } from "../lint/report";
// The CLI's settings include this product's seed flags: the CLI is the product's host (the
// engine itself knows no seed, see product-steps.ts).
import { DEFAULT_SEED } from "../../product/inputs";
import { formatVersion, OLDEST_COCKROACHDB_VERSION, parseCockroachdbVersion } from "../sql/cockroachdb-version";
import { SECRET_NAME_PATTERN } from "../secret-manager";
import { hostnameProblem, nameProblem, slugProblem } from "../validation";
import { COMMANDS, type CommandName } from "../commands/registry";
import {
  DEFAULT_COMPLETE_SCHEMA_FILE,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_DDL_LOCK_TIMEOUT_MS,
  DEFAULT_MIGRATIONS_DIR,
  DEFAULT_STATEMENT_TIMEOUT_MS,
} from "./defaults";
import { parseDsn } from "./dsn";
import { checked, choice, listOf, milliseconds, oneOf, parsedBy, text, toggle, type Setting } from "./setting";

/** Where the DSN and CA certificate live: Secret Manager, or nowhere (local and test stacks). */
export const SECRET_STORES = ["gcp", "none"] as const;
/** What `pulumi destroy` does to the database. */
export const TEARDOWNS = ["retain", "drop"] as const;

/** Commands that connect to the database. */
const CONNECTS = [
  "status",
  "up",
  "verify",
  "apply-complete",
  "resolve",
  "erd",
  "unlock",
  "teardown",
] as const satisfies CommandName[];
/** Commands that take the migration lock. */
const LOCKS = ["up", "apply-complete", "resolve", "teardown"] as const satisfies CommandName[];
/** Commands that read or bring about the default tenant. */
const SEEDS = ["status", "up", "apply-complete"] as const satisfies CommandName[];
/** Commands that plan from the migration files against the history. */
const PLANS = ["status", "up", "verify"] as const satisfies CommandName[];
/** Commands that read the migrations folder. */
const READS_MIGRATIONS = [
  "status",
  "up",
  "verify",
  "apply-complete",
  "new",
  "lint",
  "build-complete",
  "resolve",
  "diff",
] as const satisfies CommandName[];
/** Every command: the registry's rows. */
const EVERY = Object.keys(COMMANDS) as CommandName[];
/** Not on the command line: a Pulumi config key only. */
const PULUMI_ONLY = [] as const;

/** The bounds of the numeric settings, ms: below them nothing could work, above them a typo or a timer overflow. */
export const BOUNDS = {
  connectTimeoutMs: { min: 100, max: 600_000 },
  statementTimeoutMs: { min: 100, max: 86_400_000 },
  lockTimeoutMs: { min: 1, max: 86_400_000 },
  // The same bounds as a file's `-- dbmigrate:lock-timeout` header.
  ddlLockTimeoutMs: LOCK_TIMEOUT_BOUNDS,
  // The lease is renewed every third of it: below half a second that is a busy loop.
  lockLeaseMs: { min: 500, max: 3_600_000 },
} as const;

const SECRET_NAME_HINT = "Use projects/PROJECT/secrets/SECRET or projects/PROJECT/secrets/SECRET/versions/VERSION";
const secretName = () =>
  checked((value) => (SECRET_NAME_PATTERN.test(value) ? undefined : `'${value}' is not a Secret Manager secret name`));
const msSetting = (key: keyof typeof BOUNDS) => ({
  type: "string" as const,
  schema: milliseconds(BOUNDS[key].min, BOUNDS[key].max),
  bounds: BOUNDS[key],
  valueName: "MS",
});
const seedText = (check: (value: unknown) => string | undefined) => ({
  type: "string" as const,
  schema: checked(check),
  valueName: "TEXT",
});
/** The DSN, parsed once into a typed value; its error words serve both the CLI and the config. */
const dsn = () => parsedBy(parseDsn, (error) => `is not a valid DSN (${dsnProblemWords(error.message)})`);
function dsnProblemWords(message: string): string {
  // Never echo the DSN, not even redacted: `(got '...')` goes.
  return message.replace(/^the database URL /, "it ").replace(/ \(got '.*'\)$/, "");
}

/** The catalog. Keys are the settings' names in code. */
export const SETTINGS = {
  databaseUrl: {
    flag: "database-url",
    env: "DATABASE_URL",
    configKey: "databaseUrl",
    type: "string",
    schema: dsn(),
    valueName: "URL",
    help: "the DSN: postgresql://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=verify-full",
    commands: CONNECTS,
  },
  databaseUrlSecret: {
    flag: "database-url-secret",
    env: "DATABASE_URL_SECRET",
    type: "string",
    schema: secretName(),
    valueName: "NAME",
    help: "a Secret Manager secret holding the DSN: projects/P/secrets/S[/versions/V]",
    hint: SECRET_NAME_HINT,
    commands: CONNECTS,
  },
  caCertFile: {
    flag: "ca-cert",
    env: "DATABASE_CA_CERT",
    type: "string",
    schema: text(),
    valueName: "FILE",
    help: "the CA certificate (PEM) that verifies the server",
    commands: CONNECTS,
  },
  caCertSecret: {
    flag: "ca-cert-secret",
    env: "DATABASE_CA_CERT_SECRET",
    type: "string",
    schema: secretName(),
    valueName: "NAME",
    help: "a Secret Manager secret holding the CA certificate",
    hint: SECRET_NAME_HINT,
    commands: CONNECTS,
  },
  caCert: {
    configKey: "caCert",
    type: "string",
    schema: checked((pem) => pemProblem(pem)),
    help: "the CA certificate's PEM text (required with secretStore gcp)",
    commands: PULUMI_ONLY,
  },
  secretManagerEmulatorHost: {
    env: "SECRET_MANAGER_EMULATOR_HOST",
    type: "string",
    schema: checked((value) => (/^[^:\s]+:\d+$/.test(value) ? undefined : `'${value}' is not host:port`)),
    help: "host:port of a local Secret Manager spoken to without TLS or credentials (tests, emulators)",
    commands: CONNECTS,
  },
  connectTimeoutMs: {
    flag: "connect-timeout",
    ...msSetting("connectTimeoutMs"),
    default: DEFAULT_CONNECT_TIMEOUT_MS,
    help: "time allowed to open a connection (TCP, TLS, authentication)",
    commands: CONNECTS,
  },
  statementTimeoutMs: {
    flag: "statement-timeout",
    ...msSetting("statementTimeoutMs"),
    default: DEFAULT_STATEMENT_TIMEOUT_MS,
    help: "time allowed to one statement",
    commands: CONNECTS,
  },
  lockTimeoutMs: {
    flag: "lock-timeout",
    ...msSetting("lockTimeoutMs"),
    default: DEFAULT_LOCK.waitTimeoutMs,
    help: "how long to wait for the migration lock held by another run",
    commands: LOCKS,
  },
  ddlLockTimeoutMs: {
    flag: "ddl-lock-timeout",
    ...msSetting("ddlLockTimeoutMs"),
    default: DEFAULT_DDL_LOCK_TIMEOUT_MS,
    help: "the lock_timeout of each migration's statements (retried with backoff on 55P03); a file's `-- dbmigrate:lock-timeout` header overrides it",
    commands: ["up", "apply-complete"],
  },
  lockLeaseMs: {
    flag: "lock-lease",
    ...msSetting("lockLeaseMs"),
    default: DEFAULT_LOCK.leaseMs,
    help: "the lock's lease, renewed while the run lives: how long a dead run blocks others",
    commands: LOCKS,
  },
  engine: {
    flag: "engine",
    env: "DBMIGRATE_ENGINE",
    type: "string",
    schema: choice(["postgres", "cockroachdb"], (input) => `'${input}' is not an engine`),
    valueName: "ENGINE",
    help: "force postgres or cockroachdb instead of detecting it",
    hint: "Use postgres or cockroachdb, or leave it out to detect it",
    commands: CONNECTS,
  },
  customerName: {
    flag: "customer-name",
    env: "DEFAULT_CUSTOMER_NAME",
    configKey: "defaultCustomer.name",
    ...seedText(nameProblem),
    default: DEFAULT_SEED.customerName,
    help: "the default customer's name (the default applies when it is created)",
    commands: SEEDS,
  },
  customerSlug: {
    flag: "customer-slug",
    env: "DEFAULT_CUSTOMER_SLUG",
    configKey: "defaultCustomer.slug",
    ...seedText(slugProblem),
    default: DEFAULT_SEED.customerSlug,
    help: "the default customer's slug",
    commands: SEEDS,
  },
  siteName: {
    flag: "site-name",
    env: "DEFAULT_SITE_NAME",
    configKey: "defaultSite.name",
    ...seedText(nameProblem),
    default: DEFAULT_SEED.siteName,
    help: "the default site's name",
    commands: SEEDS,
  },
  siteSlug: {
    flag: "site-slug",
    env: "DEFAULT_SITE_SLUG",
    configKey: "defaultSite.slug",
    ...seedText(slugProblem),
    default: DEFAULT_SEED.siteSlug,
    help: "the default site's slug",
    commands: SEEDS,
  },
  siteHostname: {
    flag: "site-hostname",
    env: "DEFAULT_SITE_HOSTNAME",
    configKey: "defaultSite.hostname",
    ...seedText(hostnameProblem),
    help: "the default site's primary hostname (default none)",
    commands: SEEDS,
  },
  createDatabase: {
    flag: "create-database",
    type: "boolean",
    schema: toggle(),
    help: "create the DSN's database first when it is missing",
    commands: ["up", "apply-complete"],
  },
  migrationsDir: {
    flag: "migrations-dir",
    type: "string",
    schema: text(),
    default: DEFAULT_MIGRATIONS_DIR,
    valueName: "DIR",
    help: "the folder of the migration files",
    commands: READS_MIGRATIONS,
  },
  completeSchemaFile: {
    flag: "complete-schema",
    type: "string",
    schema: text(),
    default: DEFAULT_COMPLETE_SCHEMA_FILE,
    valueName: "FILE",
    help: "the complete schema file",
    commands: ["apply-complete", "build-complete"],
  },
  allowOutOfOrder: {
    flag: "allow-out-of-order",
    type: "boolean",
    schema: toggle(),
    help: "apply new files numbered below the latest applied one",
    commands: PLANS,
  },
  dryRun: {
    flag: "dry-run",
    type: "boolean",
    schema: toggle(),
    help: "say what would be done and write nothing",
    commands: ["up", "apply-complete", "resolve", "new", "build-complete", "unlock", "teardown"],
  },
  force: {
    flag: "force",
    type: "boolean",
    schema: toggle(),
    help: "unlock: break the migration lock (once you know its holder is gone); teardown: really drop",
    commands: ["unlock", "teardown"],
  },
  applied: {
    flag: "applied",
    type: "boolean",
    schema: toggle(),
    help: "every statement of the dirty migration took effect",
    commands: ["resolve"],
  },
  rolledBack: {
    flag: "rolled-back",
    type: "boolean",
    schema: toggle(),
    help: "no statement of the dirty migration took effect",
    commands: ["resolve"],
  },
  check: {
    flag: "check",
    type: "boolean",
    schema: toggle(),
    help: "write nothing; exit 1 when the file is stale",
    commands: ["build-complete"],
  },
  output: {
    flag: "output",
    type: "string",
    schema: text(),
    valueName: "FILE",
    help: "write the result to FILE (e.g. docs/schema.md) instead of stdout",
    commands: ["erd"],
  },
  format: {
    flag: "format",
    type: "string",
    schema: choice(LINT_FORMATS, (input) => `'${input}' is not a lint format`),
    default: "text",
    valueName: "FORMAT",
    help: `the report's format: ${LINT_FORMATS.join(", ")} (diff: text, markdown, json)`,
    hint: `Use one of: ${LINT_FORMATS.join(", ")}`,
    commands: ["lint", "diff"],
  },
  from: {
    flag: "from",
    type: "string",
    schema: text(),
    valueName: "REF|DIR",
    help: "the base: a folder of migrations, or a git ref (branch, tag, commit) whose migrations folder is the base",
    commands: ["diff"],
  },
  to: {
    flag: "to",
    type: "string",
    schema: text(),
    valueName: "DIR",
    help: "the head folder of migrations (default: --migrations-dir)",
    commands: ["diff"],
  },
  cockroachdbVersion: {
    flag: "cockroachdb-version",
    type: "string",
    schema: parsedBy(
      (value) => parseCockroachdbVersion(value),
      (error) => error.message,
    ),
    valueName: "X.Y",
    help: `the oldest CockroachDB version to support: every statement goes through its grammar (default ${formatVersion(OLDEST_COCKROACHDB_VERSION)})`,
    commands: ["lint"],
  },
  requireCockroachdbGrammar: {
    flag: "require-cockroachdb-grammar",
    type: "boolean",
    schema: toggle(),
    help: "fail when CockroachDB's grammar cannot run (CI)",
    commands: ["lint"],
  },
  json: {
    flag: "json",
    type: "boolean",
    schema: toggle(),
    help: "print the result, or the error, as JSON on stdout",
    commands: EVERY,
  },
  verbose: {
    flag: "verbose",
    type: "boolean",
    schema: toggle(),
    help: "show the cause of a failure and library warnings",
    commands: EVERY,
  },
  help: {
    flag: "help",
    short: "h",
    type: "boolean",
    schema: toggle(),
    help: "show this help",
    commands: EVERY,
  },
  secretStore: {
    configKey: "secretStore",
    type: "string",
    schema: choice(SECRET_STORES, oneOf(SECRET_STORES)),
    default: "gcp",
    help: "gcp: Secret Manager holds the DSN and CA; none: no cloud resources (local and test stacks)",
    commands: PULUMI_ONLY,
  },
  teardown: {
    configKey: "teardown",
    type: "string",
    schema: choice(TEARDOWNS, oneOf(TEARDOWNS)),
    default: "retain",
    help: "what `pulumi destroy` does to the database",
    commands: PULUMI_ONLY,
  },
  protect: {
    configKey: "protect",
    type: "boolean",
    schema: toggle(),
    default: false,
    help: "protect the secrets and the schema from deletion (prod)",
    commands: PULUMI_ONLY,
  },
  project: {
    configKey: "gcp:project",
    type: "string",
    schema: text(),
    help: "the GCP project (required with secretStore gcp)",
    commands: PULUMI_ONLY,
  },
  secretAccessors: {
    configKey: "secretAccessors",
    type: "string",
    schema: listOf(/^(serviceAccount|user|group|principal|principalSet):\S+$/, "an IAM member"),
    default: [],
    help: "IAM members granted roles/secretmanager.secretAccessor on the two secrets",
    hint: "use entries like serviceAccount:api@PROJECT.iam.gserviceaccount.com",
    commands: PULUMI_ONLY,
  },
  secretReplicaLocations: {
    configKey: "secretReplicaLocations",
    type: "string",
    schema: listOf(/^[a-z]+-[a-z]+\d+$/, "a GCP region"),
    default: [],
    help: "replica locations for user-managed replication; empty means automatic",
    hint: "use regions like europe-west1",
    commands: PULUMI_ONLY,
  },
} as const satisfies Record<string, Setting>;

/** A setting's name in code. */
export type SettingName = keyof typeof SETTINGS;

/** The typed values of the settings that were given (flags, environment). */
export type SettingValues = {
  -readonly [K in SettingName]?: (typeof SETTINGS)[K]["schema"]["_zod"]["output"];
};

/** Every setting with its name. */
export function settingEntries(): [SettingName, Setting][] {
  return Object.entries(SETTINGS) as [SettingName, Setting][];
}
