/**
 * `.ci/ensure-pulumi.sh`: one version, said in one place (package-lock.json's @pulumi/pulumi) and
 * agreed on by everything that builds the CLI; the cached CLI reused without a build; one line and
 * exit 1 when neither a CLI nor Go can be had.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { tempDir } from "../support/temp";

const lock = JSON.parse(readFileSync("package-lock.json", "utf8")) as {
  packages: Record<string, { version: string }>;
};
const pinned = lock.packages["node_modules/@pulumi/pulumi"].version;

/** Sources the script in bash with `env` (and nothing else); returns its output and status. */
function source(env: Record<string, string>): { code: number | null; out: string } {
  const run = spawnSync("/bin/bash", ["-c", 'source .ci/ensure-pulumi.sh && echo "PATH=$PATH"'], {
    env,
    encoding: "utf8",
    timeout: 120_000,
  });
  return { code: run.status, out: `${run.stdout}${run.stderr}` };
}

describe(".ci/ensure-pulumi.sh", () => {
  it("pins one version: package.json, package-lock.json and both Go modules agree", () => {
    const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { dependencies: Record<string, string> };
    assert.equal(pkg.dependencies["@pulumi/pulumi"], pinned, "package.json pins @pulumi/pulumi exactly");
    assert.match(
      readFileSync("tools/pulumi-cli/go.mod", "utf8"),
      new RegExp(`github.com/pulumi/pulumi/pkg/v3 v${pinned}\\b`),
    );
    assert.match(
      readFileSync("tools/pulumi-language-nodejs/go.mod", "utf8"),
      new RegExp(`github.com/pulumi/pulumi/sdk/v3 v${pinned}\\b`),
    );
  });

  it("the CLI on PATH is the pinned one, with its language host and the dynamic-provider launcher beside it", () => {
    const version = spawnSync("pulumi", ["version"], { encoding: "utf8" });
    assert.equal(version.status, 0, "pulumi is on PATH (source .ci/ensure-pulumi.sh)");
    assert.equal(version.stdout.trim(), `v${pinned}`);
    for (const tool of ["pulumi-language-nodejs", "pulumi-resource-pulumi-nodejs"]) {
      assert.equal(spawnSync("bash", ["-c", `command -v ${tool}`]).status, 0, `${tool} is on PATH`);
    }
  });

  it("reuses a CLI already on PATH at the pinned version without building anything", () => {
    const { code, out } = source({ PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp" });
    assert.equal(code, 0, out);
    assert.match(out, new RegExp(`^ensure-pulumi: using Pulumi CLI v${pinned} at `, "m"));
    assert.doesNotMatch(out, /building/);
  });

  it("without a CLI and without Go, stops with one line saying how to install the CLI", () => {
    // A PATH with node and the basic tools only (each through a wrapper): no pulumi, no go.
    const bin = path.join(tempDir("agoat-nopulumi-"), "bin");
    mkdirSync(bin);
    const tools: Record<string, string> = { node: process.execPath };
    for (const tool of ["sed", "cat", "sha256sum", "cut", "mkdir", "dirname"])
      tools[tool] = spawnSync("bash", ["-c", `command -v ${tool}`], { encoding: "utf8" }).stdout.trim();
    for (const [tool, where] of Object.entries(tools))
      writeFileSync(path.join(bin, tool), `#!/bin/sh\nexec ${where} "$@"\n`, { mode: 0o755 });
    const env = {
      PATH: bin,
      HOME: tempDir("agoat-home-"),
      AGOAT_TOOLS_CACHE: tempDir("agoat-cache-"),
    };
    const { code, out } = source(env);
    assert.equal(code, 1, out);
    const lines = out.trim().split("\n");
    assert.equal(lines.length, 1, out);
    assert.match(
      lines[0],
      new RegExp(
        `^ensure-pulumi: no Pulumi CLI v${pinned} or newer on PATH and no Go to build it: install the Pulumi CLI`,
      ),
    );
  });
});
