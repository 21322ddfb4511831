#!/usr/bin/env node
"use strict";
// `node <args>` under the project's Node (22+, package.json engines). npm scripts that need it
// (`npm test`, `npm run local`) start here: on an older Node this installs Node 22 into .tools/
// when it is not there yet (one line says so) and re-runs the same arguments under it.
// Plain CommonJS with no dependency, so that any Node can run it.
const { spawnSync } = require("node:child_process");
const { assertInstalled, reexecUnderNode22 } = require("./ensure-node22");

const label = process.env.npm_lifecycle_event ? `npm run ${process.env.npm_lifecycle_event}` : "node22";
assertInstalled(label);
reexecUnderNode22(label, process.argv.slice(2));
// This Node is new enough: run the arguments as a child, the same way.
const result = spawnSync(process.execPath, process.argv.slice(2), { stdio: "inherit" });
if (result.error) {
  process.stderr.write(`${label}: cannot start ${process.execPath}: ${result.error.message}\n`);
  process.exit(1);
}
if (result.signal) process.kill(process.pid, result.signal);
process.exit(result.status ?? 1);
