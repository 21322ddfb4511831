/**
 * The DatabaseSchema provider's implementation: an adapter over dbmigrate with no SQL of its own.
 * Loaded at call time by the shim stored in the state (database-schema.ts), from the project the
 * provider runs in. Every message it emits goes through the redactor.
 */
import * as os from "node:os";
import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import type { MigrationRef } from "./database-schema";
import {
  changedProblem,
  DbMigrateError,
  errorLine,
  issueDetails,
  SETTINGS,
  Redactor,
  secretVersionName,
  type SettingName,
} from "../dbmigrate/inputs";
import type { SeedParams } from "../product/inputs";
import type { Logger, UpResult } from "../dbmigrate";
import type { AgoatMigrator, SeedChange, SeedResult } from "../product";

/**
 * The engine, loaded on the first call that reaches the database or lints: a no-op preview's
 * `check` and `diff` never load the parser, the linter or a client. `require`: the provider
 * runs this file through tsx's CommonJS hook.
 */
function engine(): typeof import("../dbmigrate/index.js") {
  return require("../dbmigrate") as typeof import("../dbmigrate/index.js");
}

/** The AGoat product's steps on the engine, loaded with it. */
function product(): typeof import("../product/index.js") {
  return require("../product") as typeof import("../product/index.js");
}

/** The root of the project this file belongs to (it lives in infra/). */
const PROJECT_ROOT = path.resolve(__dirname, "..");

/** The value the engine sends for an input not known yet (during a preview), from the SDK. */
const UNKNOWN = unknownValue;

/**
 * The resource's inputs. What a preview shows is the engine's diff of the stored inputs against
 * the checked ones, every property printed, changed or not, except those named `__...`. So the
 * full list of files (and the preview flag) are `__` properties, and the two lists a reviewer
 * reads exist only in a preview's checked inputs: the stored inputs never hold them, and the next
 * preview shows them as added, with no pseudo-removal of what the last update applied.
 */
interface SchemaInputs {
  databaseUrlSecretVersion?: string;
  caCertSecretVersion?: string;
  databaseUrl?: string;
  /** A Pulumi secret: not sensitive, but a page of base64 that no preview should print. */
  caCert?: string;
  /** Every migration file and checksum of the checkout, in order (hidden from previews). */
  __migrations?: MigrationRef[];
  /** The same list, as states written before the list was hidden name it. */
  migrations?: MigrationRef[];
  /** True while the program runs for a preview (`pulumi.runtime.isDryRun()`). */
  __preview?: boolean;
  /** Set by `read` (refresh): what it found different, for the next preview to show. */
  __drift?: string[];
  /** Preview only, set by `check`: the files the update would apply. */
  pendingMigrations?: string[];
  /** Preview only, set by `check`: what the last refresh found (an update re-applies what it can). */
  driftFoundByRefresh?: string[];
  migrationsDir: string;
  seed: SeedParams;
  teardown: "retain" | "drop";
}

/** Inputs that exist only in a preview's checked inputs. */
const PREVIEW_ONLY = ["pendingMigrations", "driftFoundByRefresh"] as const;

/** Its outputs: the inputs plus what the engine reports. */
interface SchemaOutputs extends SchemaInputs {
  appliedMigrations: MigrationRef[];
  schemaVersion: number;
  engine: string;
  serverVersion: string;
  defaultCustomerId: string;
  defaultSiteId: string;
  drift: string[];
}

/** Inputs that, when changed, make an update (never a replacement: that would drop a database). */
const COMPARED_INPUTS = [
  "databaseUrlSecretVersion",
  "caCertSecretVersion",
  "databaseUrl",
  "caCert",
  "migrationsDir",
  "seed",
  "teardown",
] as const;

/** The provider's methods, as the shim calls them. */
export const databaseSchemaProviderImplementation = {
  async check(olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult> {
    const list = news.__migrations ?? news.migrations;
    const failures = checkInputs(news);
    if (failures.length > 0 || !Array.isArray(list)) return { inputs: news, failures };
    const applied = migrationListOf(olds);
    const previous = new Set(applied.map((m) => `${m.file}:${m.checksum}`));
    // An applied file edited since (its checksum in the state differs): refused with the line `up`
    // would print, before any database I/O.
    const now = new Map(migrationKeys(list as MigrationRef[]).map((m) => [m.file, m.checksum]));
    for (const m of applied) {
      const checksum = now.get(m.file);
      if (checksum !== undefined && checksum !== m.checksum)
        failures.push({ property: "migrations", reason: changedProblem(m.file, m.checksum, checksum) });
    }
    const pending = migrationKeys(list as MigrationRef[])
      .filter((m) => !previous.has(`${m.file}:${m.checksum}`))
      .map((m) => m.file);
    // The same lint as `dbmigrate lint`, on the files this update would apply: an error fails the preview.
    const lint = await lintPending(String(news.migrationsDir), pending).catch((error: unknown) => [errorLine(error)]);
    for (const line of lint) failures.push({ property: "migrations", reason: line });
    const { migrations: _legacy, __drift: _drift, ...rest } = news;
    for (const key of PREVIEW_ONLY) delete rest[key];
    const inputs: Record<string, unknown> = { ...rest, __migrations: list };
    // Shown by a preview only (see SchemaInputs): an update's inputs, stored in the state, never hold them.
    if (news.__preview !== false) {
      if (pending.length > 0) inputs.pendingMigrations = pending;
      const drift = olds.__drift as string[] | undefined;
      if (drift && drift.length > 0) inputs.driftFoundByRefresh = drift;
    }
    return { inputs, failures };
  },

  async diff(_id: string, olds: SchemaOutputs, news: SchemaInputs): Promise<pulumi.dynamic.DiffResult> {
    const inputsChanged = COMPARED_INPUTS.some(
      (key) => stable(olds[key]) !== stable(news[key]) || news[key] === UNKNOWN,
    );
    // Compared with what the database had at the last create, update or refresh: drift found by a
    // refresh (a migration missing, a changed checksum) makes the next `up` repair it.
    const applied = olds.appliedMigrations ?? migrationListOf(olds);
    const migrationsChanged = stable(migrationKeys(applied)) !== stable(migrationKeys(migrationListOf(news)));
    const drifted = (olds.drift ?? []).length > 0;
    return { changes: inputsChanged || migrationsChanged || drifted, replaces: [] };
  },

  async create(inputs: SchemaInputs): Promise<pulumi.dynamic.CreateResult> {
    return apply(inputs);
  },

  async update(_id: string, _olds: SchemaOutputs, news: SchemaInputs): Promise<pulumi.dynamic.UpdateResult> {
    return { outs: (await apply(news)).outs };
  },

  async read(id: string, props: SchemaOutputs): Promise<pulumi.dynamic.ReadResult> {
    return guarded(async (redactor, logger) => {
      const { migrator } = await engineFor(props, redactor, logger);
      const found = await migrator.inspect();
      const inDatabase = (found.history ?? []).map((row) => ({
        file: row.file,
        checksum: row.checksum,
        dirty: row.dirty,
      }));
      const drift = driftBetween(props.appliedMigrations ?? [], inDatabase);
      if (!found.seed?.customerId) drift.push(`the default customer '${props.seed.customerSlug}' is missing`);
      else if (!found.seed?.siteId) drift.push(`the default site '${props.seed.siteSlug}' is missing`);
      // Object by object: the live catalog against the snapshot recorded after the last up.
      drift.push(...engine().driftLines(found.schema.changes));
      for (const line of drift) logger.warn(`drift: ${line}`);
      const outs: SchemaOutputs = {
        ...props,
        appliedMigrations: inDatabase.filter((m) => !m.dirty).map(({ file, checksum }) => ({ file, checksum })),
        schemaVersion: Math.max(0, ...(found.history ?? []).filter((row) => !row.dirty).map((row) => row.version)),
        engine: found.engine,
        serverVersion: found.serverVersion,
        defaultCustomerId: found.seed?.customerId ?? "",
        defaultSiteId: found.seed?.siteId ?? "",
        drift,
      };
      // Inputs too, so that the next preview can show what this refresh found (check reads them as
      // its olds). The engine keeps the secret mark of every input named as before.
      return { id, props: outs, inputs: { ...inputsOf(props), __drift: drift } };
    });
  },

  async delete(_id: string, props: SchemaOutputs): Promise<void> {
    await guarded(async (redactor, logger) => {
      if (props.teardown !== "drop") {
        logger.info("teardown is 'retain': the schema and its data stay in the database; only the stack forgets them");
        return;
      }
      const { migrator } = await engineFor(props, redactor, logger);
      // Everything the catalog shows in the engine's schema, under the migration lock (ADR 0006).
      await migrator.teardown();
    });
  },
};

/** The lint errors of the files this update would add; none (and no linter loaded) when it adds none. */
async function lintPending(migrationsDir: string, pending: string[]): Promise<string[]> {
  return pending.length === 0 ? [] : engine().lintErrorLines(migrationsDir, pending, PROJECT_ROOT);
}

/** Runs the engine: lock, pending migrations, seed; returns the resource id and every output. */
async function apply(inputs: SchemaInputs): Promise<{ id: string; outs: SchemaOutputs }> {
  return guarded(async (redactor, logger) => {
    const { migrator, id } = await engineFor(inputs, redactor, logger);
    const onDisk = (await migrator.loadMigrations()).map(({ file, checksum }) => ({ file, checksum }));
    if (stable(onDisk) !== stable(migrationKeys(migrationListOf(inputs)))) {
      throw new DbMigrateError(`the migration files in ${inputs.migrationsDir}/ changed since the program read them`, {
        hint: "Run `pulumi up` again so that the preview and the update see the same files",
      });
    }
    return { id, outs: outputsOf(inputs, await migrator.up()) };
  });
}

function outputsOf(inputs: SchemaInputs, result: UpResult<SeedResult, SeedChange>): SchemaOutputs {
  const { pendingMigrations: _pending, driftFoundByRefresh: _drift, __drift: _found, ...kept } = inputs;
  return {
    ...kept,
    appliedMigrations: result.migrations
      .filter((m) => m.state === "applied")
      .map(({ file, checksum }) => ({ file, checksum })),
    schemaVersion: result.schemaVersion,
    engine: result.engine,
    serverVersion: result.serverVersion,
    defaultCustomerId: result.seed?.customerId ?? "",
    defaultSiteId: result.seed?.siteId ?? "",
    drift: [],
  };
}

/** What differs between the state's applied migrations and the database's history. */
function driftBetween(state: MigrationRef[], database: (MigrationRef & { dirty: boolean })[]): string[] {
  const drift: string[] = [];
  const byFile = new Map(database.map((m) => [m.file, m]));
  for (const m of state) {
    const found = byFile.get(m.file);
    if (!found) drift.push(`${m.file} is recorded in the stack but not applied in the database`);
    else if (found.checksum !== m.checksum)
      drift.push(`${m.file} was applied with checksum ${found.checksum}, the stack recorded ${m.checksum}`);
    else if (found.dirty)
      drift.push(`${m.file} is dirty in the database (started, not finished): run \`dbmigrate status\``);
  }
  const known = new Set(state.map((m) => m.file));
  for (const m of database)
    if (!known.has(m.file)) drift.push(`${m.file} is applied in the database but not recorded in the stack`);
  return drift;
}

/** The seed's fields, each a setting of the same name. */
const SEED_FIELDS = [
  "customerName",
  "customerSlug",
  "siteName",
  "siteSlug",
  "siteHostname",
] as const satisfies (keyof SeedParams & SettingName)[];

/** Problems with the inputs, each naming its property. */
function checkInputs(news: Record<string, unknown>): pulumi.dynamic.CheckFailure[] {
  const failures: pulumi.dynamic.CheckFailure[] = [];
  const fail = (property: string, reason: string) => failures.push({ property, reason });
  const known = (value: unknown) => value !== undefined && value !== UNKNOWN;
  const gcp = news.databaseUrlSecretVersion !== undefined;
  if (!gcp && news.databaseUrl === undefined)
    fail("databaseUrl", "give databaseUrlSecretVersion (secretStore gcp) or databaseUrl (secretStore none)");
  for (const key of ["databaseUrlSecretVersion", "caCertSecretVersion"]) {
    if (known(news[key])) {
      try {
        secretVersionName(String(news[key]), key);
      } catch (error) {
        fail(key, errorLine(error));
      }
    }
  }
  if (gcp && news.caCertSecretVersion === undefined)
    fail("caCertSecretVersion", "is required with databaseUrlSecretVersion");
  // The values a person set in the stack config: checked by the same settings as the config and the CLI.
  const refusal = (name: SettingName, value: unknown): string | undefined => {
    const result = SETTINGS[name].schema.safeParse(value);
    if (result.success) return undefined;
    const { message, error } = issueDetails(result.error.issues[0]);
    return redactor.redact(error ? errorLine(error) : message);
  };
  const checkSetting = (property: string, name: SettingName, value: unknown, prefix = "") => {
    const problem = refusal(name, value);
    if (problem) fail(property, prefix + problem);
  };
  if (known(news.databaseUrl)) checkSetting("databaseUrl", "databaseUrl", news.databaseUrl);
  if (known(news.caCert)) checkSetting("caCert", "caCert", news.caCert, "the CA certificate ");
  if (known(news.seed)) {
    const seed = (news.seed ?? {}) as Record<string, unknown>;
    for (const field of SEED_FIELDS) {
      // Every field but the hostname has a default, so the program always sends it.
      if (seed[field] === undefined && !("default" in SETTINGS[field])) continue;
      checkSetting(`seed.${field}`, field, seed[field] ?? null);
    }
  }
  checkSetting("teardown", "teardown", news.teardown);
  const migrations = news.__migrations ?? news.migrations;
  if (
    known(migrations) &&
    (!Array.isArray(migrations) ||
      migrations.some((m) => typeof m?.file !== "string" || !/^[0-9a-f]{64}$/.test(String(m?.checksum))))
  ) {
    fail("migrations", "must be a list of { file, checksum } with sha256 checksums");
  }
  if (typeof news.migrationsDir !== "string" || news.migrationsDir.startsWith("/"))
    fail("migrationsDir", "must be a path relative to the project root");
  return failures;
}

/**
 * The engine for the database the resource's inputs name, and the resource's id: where the schema
 * lives (host, port, database), never the credentials.
 */
async function engineFor(
  props: SchemaInputs,
  redactor: Redactor,
  logger: Logger,
): Promise<{ migrator: AgoatMigrator; id: string }> {
  const { createConnect, resolveConnection, secretManagerSettingsFromEnv } = engine();
  const source: Parameters<typeof resolveConnection>[0] = props.databaseUrlSecretVersion
    ? {
        databaseUrlSecret: props.databaseUrlSecretVersion,
        caCertSecret: props.caCertSecretVersion,
        secretManager: secretManagerSettingsFromEnv(),
        labels: { databaseUrlSecret: "databaseUrlSecretVersion", caCertSecret: "caCertSecretVersion" },
      }
    : { databaseUrl: props.databaseUrl, caCertPem: props.caCert };
  const resolved = await resolveConnection(source, redactor);
  const { host, port, database } = resolved.dsn;
  const migrator = product().agoatMigrator({
    connect: await createConnect(resolved),
    // Relative to the project this implementation belongs to, whatever the working directory.
    migrationsDir: path.resolve(PROJECT_ROOT, props.migrationsDir),
    seed: props.seed,
    logger,
    appliedBy: `pulumi@${os.hostname()}`,
  });
  return { migrator, id: `${host}:${port}/${database}` };
}

/**
 * One redactor for the provider host's process: its stdout and stderr (what Pulumi shows) go
 * through it, so a line that a library prints is masked too. Secrets read by any call stay known.
 */
const redactor = new Redactor();
let streamsGuarded = false;

/** Runs `work` with the one logger on stderr, turning any failure into the one error line, redacted. */
async function guarded<T>(work: (redactor: Redactor, logger: Logger) => Promise<T>): Promise<T> {
  const { createLogger, guardStreams, processSinks } = engine();
  if (!streamsGuarded) {
    guardStreams(redactor);
    streamsGuarded = true;
  }
  // The engine shows a provider's stderr under the stack, not under the resource: the prefix says
  // whose lines they are.
  const logger = createLogger(processSinks.stderr, redactor, "DatabaseSchema: ");
  try {
    return await work(redactor, logger);
  } catch (error) {
    // Partial progress: what this run applied (with its audit rows) before the failure.
    const applied = error instanceof DbMigrateError ? (error.progress?.applied ?? []) : [];
    const before = applied.length > 0 ? ` (applied before the failure: ${applied.join(", ")})` : "";
    throw new Error(redactor.redact(errorLine(error) + before));
  }
}

/** The checkout's migration list of inputs (or outputs), whichever name the state wrote it under. */
function migrationListOf(props: Record<string, unknown> | SchemaInputs): MigrationRef[] {
  const p = props as SchemaInputs;
  return p.__migrations ?? p.migrations ?? [];
}

/** The inputs among a resource's outputs (which repeat them), the list under its current name. */
function inputsOf(props: SchemaOutputs): Record<string, unknown> {
  const inputs: Record<string, unknown> = { __migrations: migrationListOf(props) };
  for (const key of [...COMPARED_INPUTS, "__preview"] as const) if (props[key] !== undefined) inputs[key] = props[key];
  return inputs;
}

function migrationKeys(list: MigrationRef[] | undefined): MigrationRef[] {
  return (list ?? []).map(({ file, checksum }) => ({ file, checksum }));
}

/** A canonical text for comparing plain values (objects with sorted keys). */
function stable(value: unknown): string {
  return (
    JSON.stringify(value, (_key, v: unknown) =>
      v && typeof v === "object" && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
        : v,
    ) ?? "undefined"
  );
}
