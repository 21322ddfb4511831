#!/usr/bin/env node
"use strict";
// The dbmigrate CLI. The engine is TypeScript, loaded through tsx: no build step between a
// checkout and `npx dbmigrate`.
const major = Number(process.versions.node.split(".")[0]);
if (major < 22) {
  process.stderr.write(
    `dbmigrate: needs Node 22+ (this is ${process.version}); see .nvmrc, or source .ci/ensure-node.sh\n`,
  );
  process.exit(2);
}
require("tsx/cjs/api").register();
const { main } = require("../dbmigrate/main.ts");
main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
