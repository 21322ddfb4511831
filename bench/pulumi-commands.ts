/**
 * Benchmarks of whole `pulumi` commands with the real CLI (from PATH, as `.ci/ensure-pulumi.sh`
 * leaves it), each against a floor measured in the same run with the same CLI:
 *
 *   no-op preview   our stack, nothing to do            vs  an empty TypeScript program's preview
 *                                                       vs  a program with one no-op dynamic resource
 *   no-op up        our stack, nothing to do            vs  an empty TypeScript program's up
 *   first up        our stack on a fresh database       vs  `dbmigrate up` (the CLI) on a fresh database
 *                                                       vs  the one-dynamic-resource program's first up
 *                                                           + `dbmigrate up` on a fresh database (the floor)
 *
 * The empty program runs the same way as ours (Node, `--import tsx`, the same node_modules), so the
 * ratio is what our program, config and provider add to the engine's own cost.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { copyProject, initStack, must, pulumiProject, type PulumiProject } from "../test/support/pulumi-cli";
import { tempDir } from "../test/support/temp";
import type { BenchContext } from "./bench";
import { median, time as timed } from "./report";
import { CONFIG_NAMESPACE } from "../infra/config";

const NS = CONFIG_NAMESPACE;

/**
 * The smallest program with one dynamic resource (a provider that creates an id and never
 * differs): what the dynamic-provider mechanism itself costs (serializing the provider, starting
 * its process), without our program, config, engine or database.
 */
const ONE_DYNAMIC_RESOURCE = `import * as pulumi from "@pulumi/pulumi";
const provider: pulumi.dynamic.ResourceProvider = {
  create: async () => ({ id: "one", outs: {} }),
  diff: async () => ({ changes: false }),
};
new pulumi.dynamic.Resource(provider, "one", {});
`;

/** A TypeScript Pulumi program (`index.ts`, empty by default), run like ours (tsx loader, the project's node_modules). */
function emptyProgram(source = "export {};\n"): string {
  const dir = path.join(tempDir("agoat-empty-"), "empty");
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, "Pulumi.yaml"),
    "name: empty\nruntime:\n  name: nodejs\n  options:\n    typescript: false\n    nodeargs: --import tsx\nmain: index.ts\n",
  );
  writeFileSync(path.join(dir, "index.ts"), source);
  writeFileSync(path.join(dir, "package.json"), '{ "name": "empty", "private": true }\n');
  symlinkSync(path.resolve("node_modules"), path.join(dir, "node_modules"), "dir");
  return dir;
}

/** Our stack `stack` in `project`, pointed at `dsn`. */
async function ourStack(project: PulumiProject, stack: string, dsn: string): Promise<void> {
  await initStack(
    project,
    stack,
    {
      [`${NS}:secretStore`]: "none",
      [`${NS}:teardown`]: "drop",
    },
    { [`${NS}:databaseUrl`]: dsn },
  );
}

/** Runs the comparisons, `runs` times each (medians; `--quick`: 2). */
export async function pulumiCommands({ pg, quick, runs: allRuns, report }: BenchContext): Promise<void> {
  const runs = quick ? 2 : Math.min(allRuns, 5);
  const ours = pulumiProject(copyProject());
  const empty = pulumiProject(emptyProgram());
  const dynamic = pulumiProject(emptyProgram(ONE_DYNAMIC_RESOURCE));
  await must(empty.run(["stack", "init", "bench"]));
  await must(dynamic.run(["stack", "init", "bench"]));
  await must(dynamic.run(["up", "--yes", "--stack", "bench"]));
  await ourStack(ours, "bench", await pg.createDatabase());
  await must(empty.run(["up", "--yes", "--stack", "bench"]));
  await must(ours.run(["up", "--yes", "--stack", "bench"]));

  const dynamicPreview: number[] = [];
  const samples = {
    emptyPreview: [] as number[],
    ourPreview: [] as number[],
    emptyUp: [] as number[],
    ourUp: [] as number[],
  };
  for (let k = 0; k < runs; k++) {
    samples.emptyPreview.push(await timed(() => must(empty.run(["preview", "--stack", "bench"]))));
    dynamicPreview.push(await timed(() => must(dynamic.run(["preview", "--stack", "bench", "--expect-no-changes"]))));
    samples.ourPreview.push(await timed(() => must(ours.run(["preview", "--stack", "bench", "--expect-no-changes"]))));
    samples.emptyUp.push(await timed(() => must(empty.run(["up", "--yes", "--stack", "bench"]))));
    samples.ourUp.push(await timed(() => must(ours.run(["up", "--yes", "--stack", "bench", "--expect-no-changes"]))));
  }
  report(
    "no-op pulumi preview, our stack (median)",
    median(samples.ourPreview),
    "empty TS program's preview",
    median(samples.emptyPreview),
    "pulumi-preview-vs-empty",
  );
  report(
    "no-op pulumi preview, our stack (median)",
    median(samples.ourPreview),
    "one no-op dynamic resource's preview",
    median(dynamicPreview),
    "pulumi-preview-vs-dynamic",
  );
  report(
    "no-op pulumi up, our stack (median)",
    median(samples.ourUp),
    "empty TS program's up",
    median(samples.emptyUp),
    "pulumi-noop-up-vs-empty",
  );

  const firstUp: number[] = [];
  const dbmigrateUp: number[] = [];
  const dynamicFirstUp: number[] = [];
  for (let k = 0; k < runs; k++) {
    const stack = `first${k}`;
    await ourStack(ours, stack, await pg.createDatabase());
    firstUp.push(await timed(() => must(ours.run(["up", "--yes", "--stack", stack]))));
    await must(dynamic.run(["stack", "init", stack]));
    dynamicFirstUp.push(await timed(() => must(dynamic.run(["up", "--yes", "--stack", stack]))));
    const dsn = await pg.createDatabase();
    dbmigrateUp.push(
      await timed(async () => {
        const run = spawnSync(process.execPath, ["bin/dbmigrate.js", "up"], {
          env: { ...process.env, DATABASE_URL: dsn },
        });
        if (run.status !== 0) throw new Error(`dbmigrate up failed: ${run.stderr}`);
      }),
    );
  }
  report(
    "first pulumi up, our stack (median)",
    median(firstUp),
    "dbmigrate up, fresh database",
    median(dbmigrateUp),
    "pulumi-first-up-vs-dbmigrate",
  );
  report(
    "first pulumi up, our stack (median)",
    median(firstUp),
    "1-dynamic-resource first up + dbmigrate up",
    median(dynamicFirstUp) + median(dbmigrateUp),
    "pulumi-first-up-vs-floor",
  );
}
