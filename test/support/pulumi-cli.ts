/**
 * The real Pulumi CLI for end-to-end tests: a copy of the project in a scratch folder (so stack
 * files and extra migrations never touch the checkout), a file:// backend and a private
 * PULUMI_HOME next to it, and `pulumi` commands run as a user runs them.
 *
 * The CLI comes from PATH: `.ci/run` sources `.ci/ensure-pulumi.sh`, which builds the pinned CLI
 * from Go modules when it is missing. Without it these tests fail with one line saying so.
 */
import { spawn, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, symlinkSync } from "node:fs";
import * as path from "node:path";
import { tempDir } from "./temp";

/** What the project needs to run `pulumi` (the rest of the checkout is not copied). */
const PROJECT_FILES = [
  "Pulumi.yaml",
  "package.json",
  "tsconfig.json",
  "infra",
  "dbmigrate",
  "product",
  "migrations",
  "schema",
  // The provider's check finds CockroachDB's grammar helper by its sources (docs/adrs/0013).
  "tools/crdb-parser",
];

/** Passphrase of the test stacks' secrets provider. */
export const TEST_PASSPHRASE = "agoat-e2e-passphrase";

/** Every output of every `pulumi` command in this process, for the "no password anywhere" checks. */
export const pulumiOutputs: string[] = [];

/** How a `pulumi` command ended. */
export interface PulumiRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr together, for matching. */
  out: string;
}

/** A project copy with its own backend. */
export interface PulumiProject {
  /** The project folder (a copy of the checkout's program and migrations). */
  dir: string;
  /** The file:// backend folder. */
  backend: string;
  /** Environment every command of this project runs with. */
  env: Record<string, string>;
  /** Runs `pulumi args` in the project; `stdin` is written to the command's input. */
  run(args: string[], options?: { stdin?: string; cwd?: string }): Promise<PulumiRun>;
}

/** The `pulumi` executable on PATH; throws one line naming the fix when there is none. */
export function pulumiExecutable(): string {
  const found = spawnSync("pulumi", ["version"], { encoding: "utf8" });
  if (found.status !== 0)
    throw new Error("the Pulumi CLI is not on PATH: run `source .ci/ensure-pulumi.sh` (it builds the pinned CLI)");
  return "pulumi";
}

/** Copies the project's program and migrations into `dir` (a new scratch folder by default). */
export function copyProject(dir = path.join(tempDir("agoat-project-"), "agoat-database")): string {
  mkdirSync(dir, { recursive: true });
  for (const entry of PROJECT_FILES) cpSync(entry, path.join(dir, entry), { recursive: true });
  symlinkSync(path.resolve("node_modules"), path.join(dir, "node_modules"), "dir");
  return dir;
}

/** A project copy (or `dir`) with a fresh file:// backend and PULUMI_HOME. */
export function pulumiProject(dir = copyProject(), backend = tempDir("agoat-backend-")): PulumiProject {
  pulumiExecutable();
  const home = path.join(backend, ".pulumi-home");
  mkdirSync(home, { recursive: true });
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? backend,
    TMPDIR: process.env.TMPDIR ?? "/tmp",
    PULUMI_HOME: home,
    PULUMI_BACKEND_URL: `file://${backend}`,
    PULUMI_CONFIG_PASSPHRASE: TEST_PASSPHRASE,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_SKIP_CONFIRMATIONS: "true",
    NO_COLOR: "1",
  };
  return { dir, backend, env, run: (args, options = {}) => runPulumi(args, options.cwd ?? dir, env, options.stdin) };
}

/** Runs `pulumi args` in `cwd` with `env` (and nothing else of this process's environment). */
export function runPulumi(
  args: string[],
  cwd: string,
  env: Record<string, string>,
  stdin?: string,
): Promise<PulumiRun> {
  return new Promise((resolve, reject) => {
    // Global flags go before a `--` (after it, everything is a value).
    const split = args.includes("--") ? args.indexOf("--") : args.length;
    const argv = [...args.slice(0, split), "--non-interactive", "--color", "never", ...args.slice(split)];
    const child = spawn("pulumi", argv, {
      cwd,
      env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => {
      pulumiOutputs.push(stdout, stderr);
      resolve({ code, stdout, stderr, out: `${stdout}${stderr}` });
    });
    child.stdin.end(stdin ?? "");
  });
}

/** Creates `stack` and sets its config: `plain` as is, `secret` encrypted by the passphrase provider. */
export async function initStack(
  project: PulumiProject,
  stack: string,
  plain: Record<string, string>,
  secret: Record<string, string> = {},
): Promise<void> {
  await must(project.run(["stack", "init", stack]));
  for (const [key, value] of Object.entries(plain)) {
    // `--path` for `ns:object.field` keys; `--` so that values starting with a dash (PEM headers)
    // are not read as flags.
    const pathFlag = key.includes(".") ? ["--path"] : [];
    await must(project.run(["config", "set", "--stack", stack, ...pathFlag, key, "--", value]));
  }
  for (const [key, value] of Object.entries(secret))
    // From stdin: a secret never appears on a command line.
    await must(project.run(["config", "set", "--stack", stack, "--secret", key], { stdin: value }));
}

/** Resolves with the run when it exited 0, else throws with its output. */
export async function must(run: Promise<PulumiRun>): Promise<PulumiRun> {
  const done = await run;
  if (done.code !== 0) throw new Error(`pulumi exited ${done.code}:\n${done.out}`);
  return done;
}
