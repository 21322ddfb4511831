/** Runs the real `dbmigrate` executable in a child process, as a user would. */
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";

/** What a run printed and how it ended. */
export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const BIN = path.resolve("bin/dbmigrate.js");

/** Every output captured by any run in this process, for the "no password anywhere" checks. */
export const capturedOutputs: string[] = [];

/** Starts `dbmigrate args` with `env` added to a clean environment. */
export function startCli(
  args: string[],
  env: Record<string, string | undefined> = {},
): { child: ChildProcess; done: Promise<CliRun> } {
  const base = { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR };
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...base, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d) => (stdout += d));
  child.stderr!.on("data", (d) => (stderr += d));
  const done = new Promise<CliRun>((resolve) =>
    child.on("close", (code, signal) => {
      capturedOutputs.push(stdout, stderr);
      resolve({ code, signal, stdout, stderr });
    }),
  );
  return { child, done };
}

/** Runs `dbmigrate args` to the end. */
export function runCli(args: string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  return startCli(args, env).done;
}
