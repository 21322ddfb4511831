#!/usr/bin/env node
"use strict";
// `node <args>` under the project's Node (22+, package.json engines). npm scripts that need it
// (`npm test`) start here: on an older Node this re-runs the same arguments under
// .tools/node22/bin/node, which `source .ci/ensure-node.sh` installs, and when that is not there
// it stops with one line naming the fix (instead of Node 20's "Could not find 'test/**/*.test.ts'").
// Plain CommonJS with no dependency, so that any Node can run it.
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const REQUIRED_MAJOR = 22;
const LOCAL_NODE = path.join(__dirname, "..", ".tools", "node22", "bin", "node");
const major = (version) => Number(String(version).replace(/^v/, "").split(".")[0]);
const label = process.env.npm_lifecycle_event ? `npm run ${process.env.npm_lifecycle_event}` : "node22";

let node = process.execPath;
if (major(process.versions.node) < REQUIRED_MAJOR) {
  const local = fs.existsSync(LOCAL_NODE) ? spawnSync(LOCAL_NODE, ["--version"], { encoding: "utf8" }) : undefined;
  if (!local || local.status !== 0 || major(local.stdout.trim()) < REQUIRED_MAJOR) {
    process.stderr.write(
      `${label}: needs Node ${REQUIRED_MAJOR}+ and this is ${process.version}: run \`source .ci/ensure-node.sh\` first (it installs Node ${REQUIRED_MAJOR} into .tools/ when needed), then run it again\n`,
    );
    process.exit(1);
  }
  node = LOCAL_NODE;
  // Child processes that start `node` by name (the Pulumi CLI's plugins, say) get it too.
  process.env.PATH = `${path.dirname(LOCAL_NODE)}${path.delimiter}${process.env.PATH ?? ""}`;
}
const result = spawnSync(node, process.argv.slice(2), { stdio: "inherit" });
if (result.error) {
  process.stderr.write(`${label}: cannot start ${node}: ${result.error.message}\n`);
  process.exit(1);
}
if (result.signal) process.kill(process.pid, result.signal);
process.exit(result.status ?? 1);
