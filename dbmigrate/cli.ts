/**
 * `dbmigrate`: one handler per command over the engine. Results go to stdout (one JSON object
 * with --json), progress and errors to stderr, every line through the redactor. Exit codes: 0
 * success, 1 a problem found or the operation failed, 2 a usage error.
 */
import { constants as fsConstants, promises as fs } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import type { Logger } from "./clock";
import { DEFAULT_COMPLETE_SCHEMA_FILE, renderCompleteSchema } from "./complete-schema";
import { createConnect, parseDsn, resolveConnection, type ResolvedConnection } from "./connection";
import { createDatabaseIfMissing, dsnForDatabase } from "./create-database";
import type { Engine } from "./dialect";
import { messageOf, UsageError } from "./errors";
import { assertSchemaPresent, renderErdPage } from "./erd";
import { lintFiles, migrationPaths } from "./lint/files";
import { formatVersion, OLDEST_COCKROACHDB_VERSION, parseCockroachdbVersion } from "./sql/cockroachdb-version";
import { LINT_FORMATS, renderReport, type LintFormat } from "./lint/report";
import { migrationTemplate } from "./migration-template";
import { describeHolder } from "./lock";
import {
  DEFAULT_MIGRATIONS_DIR,
  loadMigrationFolder,
  loadMigrations,
  MAX_VERSION,
  MIGRATION_FILE_PATTERN,
  pad,
} from "./migrations";
import { createOutput, processSinks, type Output } from "./output";
import type { PlanEntry } from "./plan";
import { guardStreams, Redactor } from "./redact";
import { stopOnSignals } from "./signals";
import { Migrator, type StatusReport, type UpResult } from "./runner";
import { secretManagerSettingsFromEnv } from "./secret-manager";
import { DEFAULT_SEED, describeSeedChange, validateSeed, type SeedParams } from "./seed";
import { driftLines } from "./snapshot";

/** Where the CLI reads and writes; injected so tests run it in-process. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

const USAGE = `Usage: dbmigrate <command> [options]

Commands:
  status                 each migration's state, the server, the default tenant, who holds the lock
  up                     apply pending migrations, then seed the default tenant (--dry-run: list only)
  verify                 exit 1 when an applied migration changed, is missing or is dirty, or when an object
                         of the live schema differs from the snapshot recorded after the last up (drift)
  apply-complete         apply schema/complete-schema.sql to a fresh database (a baseline), then seed
  new <name>             write the next-numbered migration file
  lint [files...]        check migrations (default: all) for CockroachDB, destructive and locking problems:
                         exit 1 on errors; --json or --format text|json|markdown|github; every statement also
                         through CockroachDB's own grammar: --cockroachdb-version X.Y (oldest supported,
                         default ${formatVersion(OLDEST_COCKROACHDB_VERSION)}), --require-cockroachdb-grammar (fail when it cannot run)
  resolve <version>      clear a dirty migration: --applied or --rolled-back
  build-complete         regenerate schema/complete-schema.sql from migrations/ (--check: exit 1 if stale)
  erd                    print the schema's entity-relationship diagram (Mermaid) from the live catalog
                         (--output FILE writes it, e.g. docs/schema.md)
  unlock                 show who holds the migration lock (host, pid, command, lease); --force breaks it

Connection (flags win over the environment):
  --database-url URL          DATABASE_URL          postgresql://user:password@host:port/db?sslmode=verify-full
  --database-url-secret NAME  DATABASE_URL_SECRET   projects/P/secrets/S[/versions/V] in Secret Manager
  --ca-cert FILE              DATABASE_CA_CERT      CA certificate (PEM) to verify the server
  --ca-cert-secret NAME       DATABASE_CA_CERT_SECRET
  --connect-timeout MS        (default 10000)       --statement-timeout MS (default 900000)
  --lock-timeout MS           (default 120000)      --lock-lease MS (default 60000)
  --engine postgres|cockroachdb   DBMIGRATE_ENGINE  force the engine instead of detecting it

Default tenant (seed; the defaults apply when it is created, omitted flags keep what the database has):
  --customer-name  DEFAULT_CUSTOMER_NAME  (default "${DEFAULT_SEED.customerName}")
  --customer-slug  DEFAULT_CUSTOMER_SLUG  (default "${DEFAULT_SEED.customerSlug}")
  --site-name      DEFAULT_SITE_NAME      (default "${DEFAULT_SEED.siteName}")
  --site-slug      DEFAULT_SITE_SLUG      (default "${DEFAULT_SEED.siteSlug}")
  --site-hostname  DEFAULT_SITE_HOSTNAME  (default none)

  --create-database           (up, apply-complete) create the DSN's database first when missing

Other: --format FORMAT, --output FILE, --migrations-dir DIR, --complete-schema FILE, --allow-out-of-order, --json, --verbose, --help`;

const OPTIONS = {
  "database-url": { type: "string" },
  "database-url-secret": { type: "string" },
  "ca-cert": { type: "string" },
  "ca-cert-secret": { type: "string" },
  "connect-timeout": { type: "string" },
  "statement-timeout": { type: "string" },
  "lock-timeout": { type: "string" },
  "lock-lease": { type: "string" },
  engine: { type: "string" },
  "customer-name": { type: "string" },
  "customer-slug": { type: "string" },
  "site-name": { type: "string" },
  "site-slug": { type: "string" },
  "site-hostname": { type: "string" },
  "migrations-dir": { type: "string" },
  "complete-schema": { type: "string" },
  "allow-out-of-order": { type: "boolean" },
  "cockroachdb-version": { type: "string" },
  "require-cockroachdb-grammar": { type: "boolean" },
  "create-database": { type: "boolean" },
  "dry-run": { type: "boolean" },
  applied: { type: "boolean" },
  "rolled-back": { type: "boolean" },
  force: { type: "boolean" },
  check: { type: "boolean" },
  output: { type: "string" },
  format: { type: "string" },
  json: { type: "boolean" },
  verbose: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

type Flags = ReturnType<typeof parseFlags>["values"];

interface Context {
  command: string;
  flags: Flags;
  args: string[];
  io: CliIo;
  output: Output;
  redactor: Redactor;
  logger: Logger;
  /** One result line on stdout (ignored by scripts that read `--json`). */
  out: (text: string) => void;
}

type Handler = (ctx: Context) => Promise<number>;

const HANDLERS: Record<string, Handler> = {
  status: statusCommand,
  up: upCommand,
  verify: verifyCommand,
  "apply-complete": applyCompleteCommand,
  new: newCommand,
  resolve: resolveCommand,
  "build-complete": buildCompleteCommand,
  erd: erdCommand,
  lint: lintCommand,
  unlock: unlockCommand,
};

function parseFlags(argv: string[]) {
  return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
}

/** Bounds of the numeric flags, ms: below them nothing could work, above them a typo or a timer overflow. */
export const FLAG_BOUNDS = {
  "--connect-timeout": { min: 100, max: 600_000 },
  "--statement-timeout": { min: 100, max: 86_400_000 },
  "--lock-timeout": { min: 1, max: 86_400_000 },
  // The lease is renewed every third of it: below half a second that is a busy loop.
  "--lock-lease": { min: 500, max: 3_600_000 },
} as const;

/** Runs the CLI; resolves to the exit code. */
export async function main(argv: string[], io?: CliIo): Promise<number> {
  if (io) return run(argv, io, new Redactor());
  // As a process: stdout and stderr themselves go behind the redactor for the rest of its life
  // (a library's late print included), and Node's multi-line process warnings (google-auth's
  // metadata lookup, say) become one redacted line, shown with --verbose only.
  const redactor = new Redactor();
  guardStreams(redactor);
  process.removeAllListeners("warning");
  const verbose = argv.includes("--verbose");
  process.on("warning", (warning) => verbose && process.stderr.write(`warning: ${warning.name}: ${warning.message}\n`));
  return run(argv, processIo(), redactor);
}

async function run(argv: string[], io: CliIo, redactor: Redactor): Promise<number> {
  const output = createOutput("dbmigrate", io, redactor);
  // Before parsing, so a usage error is reported in the form asked for too.
  let json = argv.includes("--json");
  let verbose = argv.includes("--verbose");
  try {
    const parsed = parseCommandLine(argv);
    json = parsed.values.json ?? false;
    verbose = parsed.values.verbose ?? false;
    const [command, ...args] = parsed.positionals;
    if (parsed.values.help || command === undefined || command === "help") {
      io.stdout(USAGE + "\n");
      return command === undefined && !parsed.values.help ? 2 : 0;
    }
    const handler = HANDLERS[command];
    if (!handler) throw unknownCommand(command);
    const ctx: Context = {
      command,
      flags: parsed.values,
      args,
      io,
      output,
      redactor: output.redactor,
      logger: output.logger,
      out: json ? () => undefined : output.line,
    };
    return await handler(ctx);
  } catch (error) {
    return output.fail(error, { json, verbose });
  }
}

const USAGE_HINT = "Run `dbmigrate --help` for the options";

/** Flags and positionals; parseArgs' own messages turned into one line that says what to do. */
function parseCommandLine(argv: string[]): ReturnType<typeof parseFlags> {
  try {
    return parseFlags(argv);
  } catch (error) {
    const message = messageOf(error);
    const ambiguous = /^Option '(--[a-z-]+)[^']*' argument is ambiguous/.exec(message);
    if (ambiguous) {
      throw new UsageError(`${ambiguous[1]} needs a value, and the next argument starts with '-'`, {
        hint: `A value that starts with '-' must be given as ${ambiguous[1]}=VALUE`,
      });
    }
    const missing = /^Option '(--[a-z-]+)[^']*' argument missing/.exec(message);
    if (missing) throw new UsageError(`${missing[1]} needs a value`, { hint: USAGE_HINT });
    // parseArgs goes on about `--` and positionals: its first sentence says what is wrong.
    throw new UsageError(message.split(/\.(\s|$)/)[0], { hint: USAGE_HINT });
  }
}

/** An unknown command, never echoed whole: a DSN typed where the command goes must not be printed. */
function unknownCommand(command: string): UsageError {
  if (command.includes("://") || command.includes("@")) {
    return new UsageError("the first argument looks like a database URL, not a command", {
      hint: "Pass the URL as --database-url URL (or set DATABASE_URL) after the command, e.g. `dbmigrate status --database-url ...`",
    });
  }
  const shown = command.length > 40 ? `${command.slice(0, 40)}...` : command;
  return new UsageError(`unknown command '${shown}'`, { hint: `Use one of: ${Object.keys(HANDLERS).join(", ")}` });
}

function processIo(): CliIo {
  return { ...processSinks, env: process.env };
}

async function statusCommand(ctx: Context): Promise<number> {
  const report = await (await migrator(ctx)).status();
  const drafts = await draftsOf(ctx);
  // Exit 1 when something needs a person (documented: "a problem found"), schema drift included.
  const code = report.problems.length > 0 || report.schema.changes.length > 0 ? 1 : 0;
  if (ctx.flags.json) {
    ctx.output.json({ ...statusJson(report), drafts });
    return code;
  }
  ctx.out(`engine: ${report.engine} (${report.serverVersion}; features from ${activeVersionLabel(report)})`);
  const width = Math.max(0, ...report.migrations.map((m) => m.file.length), ...drafts.map((f) => f.length));
  for (const m of report.migrations) {
    const when = m.appliedAt ? `  ${m.appliedAt.toISOString()}` : "";
    ctx.out(`  ${m.file.padEnd(width)}  ${m.state.padEnd(12)}${when}${entryNote(m, report)}`);
  }
  for (const file of drafts) ctx.out(`  ${file.padEnd(width)}  ${"draft".padEnd(12)}  (no statement yet: not applied)`);
  ctx.out(`pending: ${report.pending}`);
  ctx.out(
    `seed: customer ${report.seed.customerId ? "present" : "missing"}, site ${report.seed.siteId ? "present" : "missing"}`,
  );
  for (const change of report.seed.changes) ctx.out(`seed would change: ${describeSeedChange(change)}`);
  if (report.lock) ctx.out(`lock: held by ${describeHolder(report.lock)}`);
  ctx.out(
    report.schema.recordedHash === null
      ? "schema: no snapshot recorded yet (the next `up` that applies something records one)"
      : `schema: ${report.schema.changes.length === 0 ? "matches" : `${report.schema.changes.length} object(s) differ from`} the snapshot recorded ${report.schema.recordedAt}`,
  );
  for (const problem of report.problems) ctx.logger.warn(problem);
  for (const line of driftLines(report.schema.changes)) ctx.logger.warn(line);
  return code;
}

/** Draft migration files (no statement yet), with a warning each: they are listed, never applied. */
async function draftsOf(ctx: Context): Promise<string[]> {
  const { drafts } = await loadMigrationFolder(migrationsDirOf(ctx));
  for (const draft of drafts) ctx.logger.warn(`${draft.file} has no statement yet: it is not applied until it has one`);
  return drafts.map((d) => d.file);
}

function migrationsDirOf(ctx: Context): string {
  return ctx.flags["migrations-dir"] ?? DEFAULT_MIGRATIONS_DIR;
}

function activeVersionLabel(report: StatusReport): string {
  return /^\d+$/.test(report.activeVersion)
    ? `server_version_num ${report.activeVersion}`
    : `cluster version ${report.activeVersion}`;
}

/** `waiting for ...`, `dirty at statement k of n (file:line): error`, `in progress by ...`. */
function entryNote(m: PlanEntry, report: StatusReport): string {
  if (m.state === "waiting") return `  (waiting: ${m.waitingFor})`;
  const p = m.progress;
  if (m.state !== "dirty" || !p || p.statementsTotal === null) return "";
  const k = p.failedStatement ?? p.statementsDone + 1;
  const running = report.lock && !report.lock.expired && report.lock.owner === p.runner;
  if (running) return `  (in progress by ${p.runner}: ${p.statementsDone} of ${p.statementsTotal} statements done)`;
  const line = p.failedLine ?? m.file;
  const at = `dirty at statement ${k} of ${p.statementsTotal} (${m.file}:${line})`;
  const what = p.lastError ?? "interrupted";
  const next = p.resumeAt !== null ? "; `dbmigrate up` resumes there" : "; outcome unknown, see below";
  return `  (${at}: ${what}${next})`;
}
/** The `status --json` object. */
export function statusJson(report: StatusReport) {
  return {
    engine: report.engine,
    serverVersion: report.serverVersion,
    activeVersion: report.activeVersion,
    migrations: report.migrations.map((m) => ({
      version: m.version,
      name: m.name,
      file: m.file,
      checksum: m.checksum,
      state: m.state,
      appliedAt: m.appliedAt ? m.appliedAt.toISOString() : null,
      ...(m.waitingFor ? { waitingFor: m.waitingFor } : {}),
      ...(m.progress ? { progress: m.progress } : {}),
    })),
    pending: report.pending,
    problems: report.problems,
    schema: report.schema,
    seed: {
      customer: report.seed.customerId !== null,
      site: report.seed.siteId !== null,
      defaultTenant: report.seed.tenant,
      changes: report.seed.changes,
    },
    lock: report.lock
      ? {
          owner: report.lock.owner,
          leaseExpiresAt: report.lock.leaseExpiresAt.toISOString(),
          expired: report.lock.expired,
        }
      : null,
  };
}

async function upCommand(ctx: Context): Promise<number> {
  const engine = await migrator(ctx);
  await draftsOf(ctx);
  const dryRun = ctx.flags["dry-run"];
  printUpResult(ctx, await stopOnSignals(sayNow(ctx), (signal) => engine.up({ dryRun, signal })));
  return 0;
}

async function applyCompleteCommand(ctx: Context): Promise<number> {
  const engine = await migrator(ctx);
  const dryRun = ctx.flags["dry-run"];
  printUpResult(ctx, await stopOnSignals(sayNow(ctx), (signal) => engine.applyComplete({ dryRun, signal })));
  return 0;
}

/** A line on stderr right now (a second signal exits before anything else is printed). */
function sayNow(ctx: Context): (line: string) => void {
  return (line) => ctx.io.stderr(`dbmigrate: ${ctx.redactor.redact(line)}\n`);
}

/** `dbmigrate unlock [--force]`: who holds the lock; with --force, break it (an audit row). */
async function unlockCommand(ctx: Context): Promise<number> {
  const result = await (await migrator(ctx)).unlock({ force: ctx.flags.force, dryRun: ctx.flags["dry-run"] });
  const { holder } = result;
  if (ctx.flags.json) {
    ctx.output.json({
      holder: holder && {
        owner: holder.owner,
        host: holder.host,
        pid: holder.pid,
        command: holder.command,
        acquiredAt: holder.acquiredAt.toISOString(),
        leaseExpiresAt: holder.leaseExpiresAt.toISOString(),
        expired: holder.expired,
      },
      broken: result.broken,
      dryRun: result.dryRun,
    });
  }
  if (!holder) {
    ctx.out("the migration lock is free");
    return 0;
  }
  const where = holder.host ? `host ${holder.host}, pid ${holder.pid}` : `owner ${holder.owner}`;
  const what = holder.command ? `\`dbmigrate ${holder.command}\`` : "a run";
  const lease = `${holder.expired ? "lease expired at" : "lease until"} ${holder.leaseExpiresAt.toISOString()}`;
  ctx.out(
    `lock held by ${what} on ${where}, since ${holder.acquiredAt.toISOString()} (${lease}; owner ${holder.owner})`,
  );
  if (result.broken) ctx.out("broke it: its holder stops before its next statement and records nothing more");
  else if (ctx.flags.force) ctx.out("dry run: --force would break it; nothing written");
  else
    ctx.out(
      holder.expired
        ? "its lease has expired: the next run takes it over"
        : "if that process is gone (check the host and pid), `dbmigrate unlock --force` breaks the lock",
    );
  return 0;
}

function printUpResult(ctx: Context, result: UpResult): void {
  if (ctx.flags.json) {
    ctx.output.json(result);
    return;
  }
  if (result.dryRun) {
    ctx.out(
      result.pending.length === 0
        ? "dry run: nothing to apply"
        : `dry run: ${result.pending.length} migration(s) would be applied:`,
    );
    for (const m of result.pending) ctx.out(`  ${m.file}  ${m.checksum.slice(0, 12)}`);
    for (const change of result.seedChanges) ctx.out(`seed would change: ${describeSeedChange(change)}`);
    return;
  }
  for (const m of result.applied)
    ctx.out(
      `${m.outcome} ${m.file} (${m.durationMs} ms)${m.resumedAt > 1 ? `, resumed at statement ${m.resumedAt}` : ""}`,
    );
  for (const m of result.migrations.filter((e) => e.state === "waiting")) ctx.out(`waiting ${m.file}: ${m.waitingFor}`);
  for (const change of result.seedChanges) ctx.out(`seed changed: ${describeSeedChange(change)}`);
  ctx.out(
    `schema version ${pad(result.schemaVersion)}; default customer ${result.seed?.customerId}, site ${result.seed?.siteId}`,
  );
}

async function verifyCommand(ctx: Context): Promise<number> {
  const problems = await (await migrator(ctx)).verify();
  if (ctx.flags.json) ctx.output.json({ ok: problems.length === 0, problems });
  else if (problems.length === 0)
    ctx.out("verify: every applied migration matches its file and the schema matches the recorded snapshot");
  else for (const problem of problems) ctx.out(`problem: ${problem}`);
  return problems.length === 0 ? 0 : 1;
}

async function resolveCommand(ctx: Context): Promise<number> {
  const [version] = ctx.args;
  if (!version || !/^\d{1,4}$/.test(version))
    throw new UsageError("resolve needs the version of the dirty migration, e.g. `dbmigrate resolve 0002 --applied`");
  if (Boolean(ctx.flags.applied) === Boolean(ctx.flags["rolled-back"])) {
    throw new UsageError(
      "resolve needs exactly one of --applied (every statement took effect) or --rolled-back (none did)",
    );
  }
  const resolution = ctx.flags.applied ? "applied" : "rolled-back";
  const dryRun = ctx.flags["dry-run"];
  await (await migrator(ctx)).resolve(Number(version), resolution, { dryRun });
  if (ctx.flags.json) ctx.output.json({ version: Number(version), resolution, ...(dryRun ? { dryRun } : {}) });
  ctx.out(
    dryRun
      ? `dry run: migration ${pad(Number(version))} would be resolved`
      : `migration ${pad(Number(version))} resolved`,
  );
  return 0;
}

async function newCommand(ctx: Context): Promise<number> {
  const raw = ctx.args.join("_");
  const name = raw.toLowerCase().replace(/[\s-]+/g, "_");
  if (!name || !MIGRATION_FILE_PATTERN.test(`0001_${name}.sql`)) {
    throw new UsageError(`'${raw}' is not a migration name`, {
      hint: "Use lower-case words, e.g. `dbmigrate new add_post_tags`",
    });
  }
  const dir = migrationsDirOf(ctx);
  const { migrations, drafts } = await loadMigrationFolder(dir);
  const next = Math.max(0, ...migrations.map((m) => m.version), ...drafts.map((d) => d.version)) + 1;
  if (next > MAX_VERSION) {
    throw new UsageError(`no migration number left in ${dir}: ${pad(MAX_VERSION)} is the last four-digit version`, {
      hint: "Fold the history into a new baseline (schema/complete-schema.sql, `dbmigrate apply-complete`) and renumber from 0001",
    });
  }
  const file = `${pad(next)}_${name}.sql`;
  const target = path.join(dir, file);
  const dryRun = ctx.flags["dry-run"] ?? false;
  if (!dryRun) await fs.writeFile(target, migrationTemplate(file.replace(/\.sql$/, "")), { flag: "wx" });
  if (ctx.flags.json) ctx.output.json({ file: target, version: next, name, ...(dryRun ? { dryRun } : {}) });
  ctx.out(dryRun ? `dry run: would write ${target}` : target);
  return 0;
}

/** `dbmigrate lint [files...]`: exit 1 when a finding is an unwaived error. */
async function lintCommand(ctx: Context): Promise<number> {
  const format = ctx.flags.json ? "json" : (ctx.flags.format ?? "text");
  if (!LINT_FORMATS.includes(format as LintFormat)) {
    throw new UsageError(`--format '${format}' is not a lint format`, {
      hint: `Use one of: ${LINT_FORMATS.join(", ")}`,
    });
  }
  const files =
    ctx.args.length > 0 ? ctx.args : await migrationPaths(ctx.flags["migrations-dir"] ?? DEFAULT_MIGRATIONS_DIR);
  const version = ctx.flags["cockroachdb-version"];
  const report = await lintFiles(files, {
    cockroachdb: {
      version: version === undefined ? undefined : parseCockroachdbVersion(version),
      require: ctx.flags["require-cockroachdb-grammar"] === true,
    },
  });
  // The report is the result in every format (with --json it is the JSON): never muted.
  ctx.output.line(renderReport(report, format as LintFormat));
  return report.errors > 0 ? 1 : 0;
}

async function buildCompleteCommand(ctx: Context): Promise<number> {
  const migrations = await loadMigrations(migrationsDirOf(ctx));
  const target = ctx.flags["complete-schema"] ?? DEFAULT_COMPLETE_SCHEMA_FILE;
  const text = renderCompleteSchema(migrations);
  const report = (upToDate: boolean, written: boolean) =>
    ctx.flags.json && ctx.output.json({ file: target, migrations: migrations.length, upToDate, written });
  if (ctx.flags.check) {
    const current = await fs.readFile(target, "utf8").catch(() => "");
    const upToDate = current === text;
    report(upToDate, false);
    ctx.out(
      upToDate
        ? `${target} is up to date with ${migrations.length} migration(s)`
        : `${target} is stale: run \`dbmigrate build-complete\` and commit it`,
    );
    return upToDate ? 0 : 1;
  }
  if (ctx.flags["dry-run"]) {
    const upToDate = (await fs.readFile(target, "utf8").catch(() => "")) === text;
    report(upToDate, false);
    ctx.out(`dry run: would ${upToDate ? "leave" : "write"} ${target} from ${migrations.length} migration(s)`);
    return 0;
  }
  await writeOutputFile(target, text, "--complete-schema");
  report(true, true);
  ctx.out(`wrote ${target} from ${migrations.length} migration(s)`);
  return 0;
}

async function erdCommand(ctx: Context): Promise<number> {
  const target = ctx.flags.output;
  // Checked before connecting: a typo in the path must not cost a connection.
  if (target) await assertWritableFolder(target, "--output");
  const page = await (
    await migrator(ctx)
  ).withConnection(async (client) => {
    await assertSchemaPresent(client);
    return renderErdPage(client);
  });
  if (target) {
    await writeOutputFile(target, page, "--output");
    if (ctx.flags.json) ctx.output.json({ file: target, written: true });
    ctx.out(`wrote ${target}`);
  } else if (ctx.flags.json) ctx.output.json({ markdown: page });
  else ctx.out(page.trimEnd());
  return 0;
}

/** Fails in one line, naming the flag, when the folder `file` would go in does not exist or is not writable. */
async function assertWritableFolder(file: string, flag: string): Promise<void> {
  const folder = path.dirname(path.resolve(file));
  try {
    if (!(await fs.stat(folder)).isDirectory()) throw Object.assign(new Error("not a folder"), { code: "ENOTDIR" });
    await fs.access(folder, fsConstants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "does not exist" : code === "ENOTDIR" ? "is not a folder" : "is not writable";
    throw new UsageError(`${flag} '${file}': the folder '${path.dirname(file)}' ${why}`, {
      hint: "Create the folder first, or give a path inside an existing one",
    });
  }
}

async function writeOutputFile(file: string, text: string, flag: string): Promise<void> {
  await assertWritableFolder(file, flag);
  // A failed write (ENOSPC, EIO) carries no path: name the file.
  await fs.writeFile(file, text).catch((error: NodeJS.ErrnoException) => {
    throw Object.assign(error, { path: error.path ?? file });
  });
}

async function migrator(ctx: Context): Promise<Migrator> {
  const { flags, io } = ctx;
  const env = io.env;
  // Flags and parameters first: a usage error must not wait for a connection or a secret.
  const seed = seedParams(flags, env);
  const engine = engineOf(flags.engine ?? env.DBMIGRATE_ENGINE);
  const timeouts = {
    connectTimeoutMs: milliseconds(flags["connect-timeout"], "--connect-timeout"),
    statementTimeoutMs: milliseconds(flags["statement-timeout"], "--statement-timeout"),
  };
  const lock = {
    waitTimeoutMs: milliseconds(flags["lock-timeout"], "--lock-timeout"),
    leaseMs: milliseconds(flags["lock-lease"], "--lock-lease"),
  };
  const connection = await resolveConnection(
    {
      databaseUrl: flags["database-url"] ?? env.DATABASE_URL,
      databaseUrlSecret: flags["database-url-secret"] ?? env.DATABASE_URL_SECRET,
      caCertFile: flags["ca-cert"] ?? env.DATABASE_CA_CERT,
      caCertSecret: flags["ca-cert-secret"] ?? env.DATABASE_CA_CERT_SECRET,
      secretManager: secretManagerSettingsFromEnv(env),
    },
    ctx.redactor,
  );
  if (flags["create-database"]) {
    if (ctx.command !== "up" && ctx.command !== "apply-complete")
      throw new UsageError(`--create-database is for up and apply-complete, not ${ctx.command}`);
    await createTargetDatabase(ctx, connection, timeouts);
  }
  return new Migrator({
    connect: await createConnect(connection, timeouts),
    migrationsDir: flags["migrations-dir"],
    completeSchemaFile: flags["complete-schema"],
    engine,
    seed,
    lock,
    allowOutOfOrder: flags["allow-out-of-order"],
    logger: ctx.logger,
    redact: (text) => ctx.redactor.redact(text),
  });
}

/** The server's maintenance database, which both engines have: where `CREATE DATABASE` runs. */
const ADMIN_DATABASE = "postgres";

async function createTargetDatabase(
  ctx: Context,
  connection: ResolvedConnection,
  timeouts: { connectTimeoutMs?: number; statementTimeoutMs?: number },
): Promise<void> {
  const { database } = parseDsn(connection.dsn);
  const admin = await createConnect({ ...connection, dsn: dsnForDatabase(connection.dsn, ADMIN_DATABASE) }, timeouts);
  if (await createDatabaseIfMissing(admin, database)) ctx.logger.info(`created database ${database}`);
}

const SEED_FLAGS: Record<keyof SeedParams, string> = {
  customerName: "--customer-name",
  customerSlug: "--customer-slug",
  siteName: "--site-name",
  siteSlug: "--site-slug",
  siteHostname: "--site-hostname",
};

/** The seed parameters that were given; the rest keep what the database's default tenant has. */
function seedParams(flags: Flags, env: NodeJS.ProcessEnv): Partial<SeedParams> {
  const params: Partial<SeedParams> = {
    customerName: flags["customer-name"] ?? env.DEFAULT_CUSTOMER_NAME,
    customerSlug: flags["customer-slug"] ?? env.DEFAULT_CUSTOMER_SLUG,
    siteName: flags["site-name"] ?? env.DEFAULT_SITE_NAME,
    siteSlug: flags["site-slug"] ?? env.DEFAULT_SITE_SLUG,
    siteHostname: flags["site-hostname"] ?? env.DEFAULT_SITE_HOSTNAME,
  };
  validateSeed(params, (field) => SEED_FLAGS[field]);
  return params;
}

function engineOf(value: string | undefined): Engine | undefined {
  if (value === undefined || value === "") return undefined;
  if (value === "postgres" || value === "cockroachdb") return value;
  throw new UsageError(`--engine '${value}' is not an engine`, {
    hint: "Use postgres or cockroachdb, or leave it out to detect it",
  });
}

function milliseconds(value: string | undefined, flag: keyof typeof FLAG_BOUNDS): number | undefined {
  if (value === undefined) return undefined;
  const { min, max } = FLAG_BOUNDS[flag];
  if (!/^\d+$/.test(value) || Number(value) <= 0)
    throw new UsageError(`${flag} '${value}' is not a positive number of milliseconds`, {
      hint: `Give a whole number from ${min} to ${max}`,
    });
  const ms = Number(value);
  if (ms < min || ms > max)
    throw new UsageError(`${flag} ${value} is out of range: it must be from ${min} to ${max} milliseconds`, {
      hint: `Give a whole number from ${min} to ${max}`,
    });
  return ms;
}
