"use strict";
// Compiles the dbmigrate CLI (dbmigrate/**/*.ts) into one CommonJS file, dist/dbmigrate.cjs, with
// esbuild (which tsx ships): run by `npm install` (`prepare`) and, when the sources are newer
// than the build, by bin/dbmigrate.js itself, so a checkout never needs a manual build step.
// Packages stay outside the bundle (resolved from node_modules at run time) except zod, whose
// ES modules esbuild tree-shakes to the part the settings use (a fifth of it; the whole package
// costs more to load than the rest of the CLI). Each command's module inside the bundle is
// evaluated only when that command runs (registry.ts requires it lazily).
// Plain CommonJS with no dependency but esbuild, so that any Node can run it.
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.join(__dirname, "..");
const SOURCES = path.join(ROOT, "dbmigrate");
const ENTRY = path.join(SOURCES, "main.ts");
/** The compiled CLI. */
const OUTFILE = path.join(ROOT, "dist", "dbmigrate.cjs");

/** The newest modification time (ms) of the CLI's sources. */
function newestSource(dir = SOURCES) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if (entry.name.endsWith(".ts")) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

/** Whether dist/dbmigrate.cjs exists and is at least as new as every source. */
function isFresh() {
  try {
    return fs.statSync(OUTFILE).mtimeMs >= newestSource();
  } catch {
    return false;
  }
}

/** Every package of package.json but zod: left to node_modules. */
function externalPackages() {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
  const names = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies, ...pkg.optionalDependencies });
  return names.filter((name) => name !== "zod").flatMap((name) => [name, `${name}/*`]);
}

/** Builds dist/dbmigrate.cjs; concurrent builds each write their own file and rename it into place. */
function build() {
  const esbuild = require("esbuild");
  const temporary = `${OUTFILE}.${process.pid}.tmp`;
  fs.mkdirSync(path.dirname(OUTFILE), { recursive: true });
  esbuild.buildSync({
    entryPoints: [ENTRY],
    outfile: temporary,
    bundle: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    external: externalPackages(),
    // zod's ES modules (tree-shakable) rather than its CommonJS build.
    mainFields: ["module", "main"],
    conditions: ["import"],
    logLevel: "error",
  });
  fs.renameSync(temporary, OUTFILE);
}

module.exports = { OUTFILE, build, isFresh };

if (require.main === module) {
  try {
    build();
  } catch (error) {
    // `npm install` must not fail for this: bin/dbmigrate.js builds (or runs the sources) later.
    process.stderr.write(`build-cli: ${error.message}; dbmigrate will build on its first run\n`);
  }
}
