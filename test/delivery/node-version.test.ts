/**
 * `npm test` on a Node older than 22 (the machine's own is often 20): bin/node22.js runs the same
 * arguments under .tools/node22 when `source .ci/ensure-node.sh` put it there, and otherwise stops
 * with one line naming that command. Run with a real older Node when the machine has one.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, symlinkSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { tempDir } from "../support/temp";

/** A `node` older than 22 on PATH (outside .tools/), if the machine has one. */
function olderNode(): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    const candidate = path.join(dir, "node");
    if (dir.includes(".tools") || !existsSync(candidate)) continue;
    const version = execFileSync(candidate, ["--version"], { encoding: "utf8" }).trim();
    if (Number(version.slice(1).split(".")[0]) < 22) return candidate;
  }
  return undefined;
}

/** A checkout holding only the launcher, with or without .tools/node22. */
function checkout(withLocalNode: boolean): string {
  const root = tempDir("agoat-node22-");
  mkdirSync(path.join(root, "bin"));
  copyFileSync("bin/node22.js", path.join(root, "bin", "node22.js"));
  if (withLocalNode) {
    mkdirSync(path.join(root, ".tools", "node22", "bin"), { recursive: true });
    symlinkSync(process.execPath, path.join(root, ".tools", "node22", "bin", "node"));
  }
  return root;
}

const old = olderNode();
const launch = (node: string, root: string) =>
  spawnSync(node, [path.join(root, "bin", "node22.js"), "-p", "process.versions.node"], {
    encoding: "utf8",
    env: { PATH: process.env.PATH, npm_lifecycle_event: "test" },
  });

describe("npm test under the project's Node", () => {
  it("package.json's test script starts through bin/node22.js", async () => {
    const { default: pkg } = await import("../../package.json", { with: { type: "json" } });
    assert.match(pkg.scripts.test, /^node bin\/node22\.js --import tsx --test /);
  });

  it("runs the arguments under Node 22+ when .tools/node22 is there", () => {
    const run = launch(old ?? process.execPath, checkout(true));
    assert.equal(run.status, 0, run.stderr);
    assert.ok(Number(run.stdout.trim().split(".")[0]) >= 22, run.stdout);
  });

  it("stops with one line naming `source .ci/ensure-node.sh` when it is not", () => {
    const run = launch(old ?? process.execPath, checkout(false));
    if (!old) {
      // No older Node on this machine: the launcher passes straight through.
      assert.equal(run.status, 0, run.stderr);
      return;
    }
    assert.equal(run.status, 1);
    assert.equal(run.stdout, "");
    assert.match(
      run.stderr,
      /^npm run test: needs Node 22\+ and this is v\d+\.[\d.]+: run `source \.ci\/ensure-node\.sh` first .*\n$/,
    );
  });
});
