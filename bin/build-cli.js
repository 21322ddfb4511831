"use strict";
// Compiles the dbmigrate CLI (dbmigrate/**/*.ts) into one CommonJS file, dist/dbmigrate.cjs, with
// esbuild (a declared dependency, the version tsx uses): run by `npm install` (`prepare`) and, when the sources are newer
// than the build, by bin/dbmigrate.js itself, so a checkout never needs a manual build step.
// Packages stay outside the bundle (resolved from node_modules at run time) except zod, whose
// ES modules esbuild tree-shakes to the part the settings use (a fifth of it; the whole package
// costs more to load than the rest of the CLI). Each command's module inside the bundle is
// evaluated only when that command runs (registry.ts requires it lazily).
// Plain CommonJS with no dependency but esbuild, so that any Node can run it.
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.join(__dirname, "..");
const ENTRY = path.join(ROOT, "dbmigrate", "main.ts");
/** The compiled CLI. */
const OUTFILE = path.join(ROOT, "dist", "dbmigrate.cjs");
/** The files the build read (the project's own, and the package files that pick zod's version). */
const INPUTS = path.join(ROOT, "dist", "dbmigrate.inputs.json");

/** Whether dist/dbmigrate.cjs exists and is at least as new as every file it was built from. */
function isFresh() {
  try {
    const built = fs.statSync(OUTFILE).mtimeMs;
    const inputs = JSON.parse(fs.readFileSync(INPUTS, "utf8"));
    return inputs.every((file) => fs.statSync(path.join(ROOT, file)).mtimeMs <= built);
  } catch {
    // No build, no list, or an input gone (renamed, deleted): build again.
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
  const result = esbuild.buildSync({
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
    metafile: true,
    absWorkingDir: ROOT,
  });
  const inputs = Object.keys(result.metafile.inputs).filter((file) => !file.startsWith("node_modules/"));
  fs.writeFileSync(`${INPUTS}.${process.pid}.tmp`, JSON.stringify([...inputs, "package.json", "package-lock.json"]));
  fs.renameSync(temporary, OUTFILE);
  fs.renameSync(`${INPUTS}.${process.pid}.tmp`, INPUTS);
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
