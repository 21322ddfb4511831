/**
 * Whole processes, as a person or a script starts them: `dbmigrate status` on an up-to-date
 * database against a bare `node` that connects with the same DSN and runs `SELECT 1` (the floor),
 * taken in turn (A B A B ...) so that a drifting machine moves both. The breakdown says where the
 * start-up goes: Node itself, the TypeScript loader, the CLI's modules, the database work.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { createConnect } from "../dbmigrate";
import { agoatMigrator } from "../product";
import type { BenchContext } from "./bench";
import { median } from "./report";

const DBMIGRATE = path.resolve("bin/dbmigrate.js");

/** `node -e` connecting with pg and running `SELECT 1`: what any Node client of this database pays. */
const SELECT_ONE = `const { Client } = require("pg");
const c = new Client({ connectionString: process.env.DATABASE_URL });
c.connect().then(() => c.query("SELECT 1")).then(() => c.end());`;

/** Wall time of one process, ms; throws with its stderr when it fails. */
function processMs(args: string[], env: NodeJS.ProcessEnv): number {
  const started = performance.now();
  const run = spawnSync(process.execPath, args, { env, encoding: "utf8" });
  const ms = performance.now() - started;
  if (run.status !== 0) throw new Error(`${args.join(" ")} failed (${run.status}): ${run.stderr}`);
  return ms;
}

export async function cliStartup({ pg, runs, report, note }: BenchContext): Promise<void> {
  const dsn = await pg.createDatabase();
  await agoatMigrator({ connect: await createConnect({ dsn }) }).up();
  const env = { ...process.env, DATABASE_URL: dsn };
  const steps = {
    "node -e ''": ["-e", ""],
    "node + tsx loader": ["--import", "tsx", "-e", ""],
    "dbmigrate --help": [DBMIGRATE, "--help"],
    "node + pg + SELECT 1": ["-e", SELECT_ONE],
    "dbmigrate status": [DBMIGRATE, "status"],
  } satisfies Record<string, string[]>;
  const samples = Object.fromEntries(Object.keys(steps).map((k) => [k, [] as number[]])) as Record<
    keyof typeof steps,
    number[]
  >;
  // One warm-up of each (file cache, tsx's compile cache), then the runs in turn.
  for (const args of Object.values(steps)) processMs(args, env);
  for (let k = 0; k < runs; k++) {
    for (const [name, args] of Object.entries(steps)) samples[name as keyof typeof steps].push(processMs(args, env));
  }
  const medians = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
  note("CLI start-up breakdown (medians, whole process)", medians);
  report(
    "dbmigrate status, whole process (median)",
    medians["dbmigrate status"],
    "node + pg + SELECT 1, same DSN",
    medians["node + pg + SELECT 1"],
    "status-process",
  );
}
