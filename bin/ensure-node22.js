"use strict";
// The project's Node (22+, package.json engines): this Node when it is new enough, else the
// official binary from the npm package node-<platform>-<arch>@22, installed once into the ignored
// folder .tools/node22 (one line says so). Shared by bin/node22.js (npm test, npm run local),
// bin/dbmigrate.js (npx dbmigrate) and .ci/ensure-node.sh. Run as a program it prints the path
// of that Node on stdout.
// Plain CommonJS with no dependency, so that any Node can run it.
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const REQUIRED_MAJOR = 22;
const PACKAGE_SPEC = `node-${process.platform}-${process.arch}@${REQUIRED_MAJOR}`;
const LOCAL_DIR = path.join(__dirname, "..", ".tools", "node22");
const LOCAL_NODE = path.join(LOCAL_DIR, "bin", "node");

const majorOf = (version) => Number(String(version).trim().replace(/^v/, "").split(".")[0]);

function localMajor() {
  if (!fs.existsSync(LOCAL_NODE)) return 0;
  const run = spawnSync(LOCAL_NODE, ["--version"], { encoding: "utf8" });
  return run.status === 0 ? majorOf(run.stdout) : 0;
}

/** Installs PACKAGE_SPEC's `bin/node` into .tools/node22 with npm and tar; throws one line on failure. */
function install(label) {
  process.stderr.write(
    `${label}: Node ${process.version} is older than ${REQUIRED_MAJOR}: installing ${PACKAGE_SPEC} from npm into .tools/node22 (once)\n`,
  );
  const temporary = fs.mkdtempSync(path.join(os.tmpdir(), "node22-"));
  try {
    const pack = spawnSync("npm", ["pack", "--silent", PACKAGE_SPEC], { cwd: temporary, encoding: "utf8" });
    if (pack.status !== 0) throw new Error(`npm pack ${PACKAGE_SPEC} failed: ${(pack.stderr || "").trim()}`);
    const tarball = path.join(temporary, pack.stdout.trim().split("\n").pop());
    const untar = spawnSync("tar", ["-xzf", tarball, "-C", temporary, "package/bin/node"], { encoding: "utf8" });
    if (untar.status !== 0) throw new Error(`cannot unpack ${PACKAGE_SPEC}: ${(untar.stderr || "").trim()}`);
    fs.mkdirSync(path.dirname(LOCAL_NODE), { recursive: true });
    // Into place in one step: a second process starting meanwhile sees no half-written binary.
    const staged = `${LOCAL_NODE}.${process.pid}`;
    fs.copyFileSync(path.join(temporary, "package", "bin", "node"), staged);
    fs.chmodSync(staged, 0o755);
    fs.renameSync(staged, LOCAL_NODE);
  } finally {
    fs.rmSync(temporary, { recursive: true, force: true });
  }
}

/** The path of a Node 22+: this one, the installed one, or one installed now. `label` prefixes the one line. */
function node22(label) {
  if (majorOf(process.versions.node) >= REQUIRED_MAJOR) return process.execPath;
  if (localMajor() < REQUIRED_MAJOR) install(label);
  if (localMajor() < REQUIRED_MAJOR) throw new Error(`${LOCAL_NODE} is not Node ${REQUIRED_MAJOR}+ after installing`);
  return LOCAL_NODE;
}

/**
 * Runs this process's arguments again under a Node 22+ when this Node is older (putting that
 * Node first on PATH, for children that start `node` by name), and exits with its status.
 * Returns only when this Node is new enough.
 */
function reexecUnderNode22(label, args = process.argv.slice(1)) {
  if (majorOf(process.versions.node) >= REQUIRED_MAJOR) return;
  let node;
  try {
    node = node22(label);
  } catch (error) {
    process.stderr.write(`${label}: needs Node ${REQUIRED_MAJOR}+ and this is ${process.version}; ${error.message}\n`);
    process.exit(1);
  }
  process.env.PATH = `${path.dirname(node)}${path.delimiter}${process.env.PATH ?? ""}`;
  const result = spawnSync(node, args, { stdio: "inherit" });
  if (result.error) {
    process.stderr.write(`${label}: cannot start ${node}: ${result.error.message}\n`);
    process.exit(1);
  }
  if (result.signal) process.kill(process.pid, result.signal);
  process.exit(result.status ?? 1);
}

/** Stops with one line when the project's packages are not installed (a clone before `npm ci`). */
function assertInstalled(label) {
  if (fs.existsSync(path.join(__dirname, "..", "node_modules", "tsx", "package.json"))) return;
  process.stderr.write(`${label}: the project's packages are not installed: run \`npm ci\` first, then run it again\n`);
  process.exit(1);
}

module.exports = { REQUIRED_MAJOR, PACKAGE_SPEC, assertInstalled, node22, reexecUnderNode22 };

if (require.main === module) {
  try {
    process.stdout.write(`${node22("ensure-node")}\n`);
  } catch (error) {
    process.stderr.write(`ensure-node: ${error.message}\n`);
    process.exit(1);
  }
}
