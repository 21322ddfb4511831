#!/usr/bin/env node
"use strict";
// The dbmigrate CLI. Runs the compiled CLI (dist/dbmigrate.cjs), building it first when it is
// missing or older than the sources (bin/build-cli.js, esbuild): no manual build step between a
// checkout and `npx dbmigrate`. When it cannot be built (a read-only install, say), the sources
// run through tsx. On a Node older than 22 it runs itself under the project's Node 22.
const { assertInstalled, reexecUnderNode22 } = require("./ensure-node22");
assertInstalled("dbmigrate");
reexecUnderNode22("dbmigrate");
// V8's code cache on disk: later starts skip compiling what they ran before.
require("node:module").enableCompileCache?.();

function loadMain() {
  if (process.env.DBMIGRATE_FROM_SOURCE !== "1") {
    try {
      const cli = require("./build-cli");
      if (!cli.isFresh()) cli.build();
      return require(cli.OUTFILE).main;
    } catch (error) {
      if (process.argv.includes("--verbose"))
        process.stderr.write(`dbmigrate: running from source (${error.message})\n`);
    }
  }
  require("tsx/cjs/api").register();
  return require("../dbmigrate/main.ts").main;
}

loadMain()(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
