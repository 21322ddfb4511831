"use strict";
// Compiles the dbmigrate CLI (dbmigrate/main.ts and everything it imports: dbmigrate/, product/,
// the parts of scripts/ it uses, zod) into one CommonJS file, dist/dbmigrate.cjs, with esbuild
// (which tsx ships): run by `npm install` (`prepare`) and, when a source is newer than the build,
// by bin/dbmigrate.js itself, so a checkout never needs a manual build step.
// Packages stay outside the bundle (resolved from node_modules at run time) except zod, whose
// ES modules esbuild tree-shakes to the part the settings use (a fifth of it; the whole package
// costs more to load than the rest of the CLI). Each command's module inside the bundle is
// evaluated only when that command runs (registry.ts requires it lazily).
// Freshness is judged on the files esbuild actually bundled (its metafile, kept beside the build),
// not on a folder: a change under product/ or scripts/ rebuilds too.
// Plain CommonJS with no dependency but esbuild, so that any Node can run it.
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.join(__dirname, "..");
const ENTRY = path.join(ROOT, "dbmigrate", "main.ts");
/** The compiled CLI. */
const OUTFILE = path.join(ROOT, "dist", "dbmigrate.cjs");

/** Where the list of a build's inputs (paths relative to the project) is kept. */
const inputsFileOf = (outfile) => `${outfile}.inputs.json`;

/**
 * Whether `outfile` exists, its inputs list is readable, and every input it lists still exists
 * and is not newer than it. An input removed or edited since the build means a rebuild.
 */
function isFresh(outfile = OUTFILE) {
  try {
    const built = fs.statSync(outfile).mtimeMs;
    const inputs = JSON.parse(fs.readFileSync(inputsFileOf(outfile), "utf8"));
    if (!Array.isArray(inputs) || inputs.length === 0) return false;
    return inputs.every((input) => fs.statSync(path.resolve(ROOT, input)).mtimeMs <= built);
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
  const result = esbuild.buildSync({
    absWorkingDir: ROOT,
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
  });
  // The inputs first: a build is only ever judged fresh against the list of what it holds.
  const inputs = `${temporary}.inputs.json`;
  fs.writeFileSync(inputs, JSON.stringify(Object.keys(result.metafile.inputs).sort()));
  fs.renameSync(inputs, inputsFileOf(OUTFILE));
  fs.renameSync(temporary, OUTFILE);
}

module.exports = { OUTFILE, build, inputsFileOf, isFresh };

if (require.main === module) {
  try {
    build();
  } catch (error) {
    // `npm install` must not fail for this: bin/dbmigrate.js builds (or runs the sources) later.
    process.stderr.write(`build-cli: ${error.message}; dbmigrate will build on its first run\n`);
  }
}
