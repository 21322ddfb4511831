/**
 * Root in a private checkout: the `postgres` user cannot enter a mode-700 folder, so PostgreSQL's
 * binaries under it cannot run; postgresBinaries() copies them to a cache it can reach, or says
 * in one line what to do. The checkout is simulated by a link to the package inside a mode-700
 * folder: the path the server user must follow goes through that folder.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, chmodSync, symlinkSync, existsSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import {
  asServerUser,
  initCluster,
  packageFolder,
  postgresBinaries,
  PostgresHomeError,
  serverUser,
  unreachableFolder,
} from "../../../dbmigrate/scratch/embedded-postgres-home";
import { tempDir } from "../../support/temp";

/** A scratch folder anyone may enter (mkdtemp makes them mode 700). */
function openTempDir(prefix: string): string {
  const dir = tempDir(prefix);
  chmodSync(dir, 0o755);
  return dir;
}

/** A folder like root's home (mode 700) holding a link to the platform package, as a checkout would. */
function privateCheckout(): { root: string; packageDir: string } {
  const root = path.join(openTempDir("agoat-private-"), "home");
  mkdirSync(root, { mode: 0o700 });
  chmodSync(root, 0o700);
  const packageDir = path.join(root, "embedded-postgres-package");
  symlinkSync(packageFolder(), packageDir);
  return { root, packageDir };
}

const user = serverUser();

describe("embedded PostgreSQL from a private (mode 700) checkout", () => {
  it("is a real problem: the server user cannot run initdb from there", () => {
    const { root, packageDir } = privateCheckout();
    const initdb = path.join(packageDir, "native", "bin", "initdb");
    const run = spawnSync(initdb, ["--version"], { ...asServerUser(user), cwd: "/", encoding: "utf8" });
    if (user) {
      assert.equal(unreachableFolder(initdb, user), root);
      assert.equal((run.error as NodeJS.ErrnoException | undefined)?.code, "EACCES");
    } else {
      // Not root: PostgreSQL runs as ourselves, who can enter our own folders.
      assert.equal(run.status, 0, run.stderr);
    }
  });

  it("copies the binaries to a reachable cache once, and initdb runs from there as the server user", async () => {
    const { packageDir } = privateCheckout();
    const cacheRoot = path.join(openTempDir("agoat-pg-cache-"), "cache");
    const binaries = await postgresBinaries({ packageDir, cacheRoot });
    if (user) {
      assert.ok(binaries.home.startsWith(cacheRoot), binaries.home);
      assert.equal(unreachableFolder(binaries.initdb, user), undefined);
      // A second call reuses the copy.
      assert.equal((await postgresBinaries({ packageDir, cacheRoot })).home, binaries.home);
    } else {
      assert.equal(binaries.home, path.join(packageDir, "native"));
      assert.equal(existsSync(cacheRoot), false);
    }
    const dataDir = path.join(openTempDir("agoat-pg-init-"), "data");
    await initCluster(binaries, { dataDir, superuser: "postgres", password: "pw-home-test" });
    assert.ok(existsSync(path.join(dataDir, "PG_VERSION")));
    const version = spawnSync(binaries.postgres, ["--version"], { ...asServerUser(user), cwd: "/", encoding: "utf8" });
    assert.match(version.stdout, /^postgres \(PostgreSQL\) \d+/);
  });

  it("says in one line what to do when the cache is out of reach too, before starting anything", async () => {
    const { packageDir, root } = privateCheckout();
    const cacheRoot = path.join(root, "cache");
    if (!user) {
      assert.equal((await postgresBinaries({ packageDir, cacheRoot })).home, path.join(packageDir, "native"));
      return;
    }
    await assert.rejects(postgresBinaries({ packageDir, cacheRoot }), (error: Error) => {
      assert.ok(error instanceof PostgresHomeError);
      assert.match(
        error.message,
        /^PostgreSQL runs as the 'postgres' user, which can enter neither .* nor .*: set AGOAT_PG_CACHE to a folder it can enter/,
      );
      assert.equal(error.message.includes("\n"), false);
      return true;
    });
    assert.equal(existsSync(cacheRoot), false);
  });

  it("npm run local from a private folder stops in one line naming AGOAT_LOCAL_DIR, having started nothing", () => {
    const { root } = privateCheckout();
    const localDir = path.join(root, ".local");
    const run = spawnSync(process.execPath, ["--import", "tsx", "scripts/local.ts", "up"], {
      env: { ...process.env, AGOAT_LOCAL_DIR: localDir, AGOAT_LOCAL_PORT: "1" },
      encoding: "utf8",
      timeout: 120_000,
    });
    if (!user) return; // Not root: nothing to refuse (npm run local itself is tested in local.test.ts).
    assert.equal(run.status, 1, `${run.stdout}${run.stderr}`);
    assert.equal(
      run.stderr,
      `local: PostgreSQL runs as the 'postgres' user, which cannot enter ${root} (on the way to ${localDir}): move the local folder where it can, e.g. \`AGOAT_LOCAL_DIR=/var/tmp/agoat-local npm run local\` (nothing was started)\n`,
    );
    assert.equal(run.stdout, "");
    assert.equal(existsSync(localDir), false);
  });
});
