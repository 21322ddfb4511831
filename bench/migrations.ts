/**
 * The engine's hot paths against their floors:
 *   fresh apply + seed  dbmigrate up            vs  complete-schema.sql sent in one query (floor)
 *                                               vs  node-pg-migrate applying the same SQL
 *   no-op up            dbmigrate up (nothing)  vs  connect + `SELECT 1` (floor)
 *                                               vs  connect + the queries it sent, by hand
 *                                               vs  node-pg-migrate's up with nothing to do
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { Client } from "pg";
import { createConnect, ENGINE_TABLES, Migrator, readSnapshot } from "../dbmigrate";
import { agoatMigrator } from "../product";
import { tempDir } from "../test/support/temp";
import type { BenchContext } from "./bench";
import { percentile, time } from "./report";

/**
 * The shipped migrations as node-pg-migrate reads SQL files (one file per migration, its
 * `-- Up Migration` marker first): every one, as ours applies them all.
 */
function npgmMigrations(): string {
  const dir = tempDir("agoat-npgm-");
  for (const file of readdirSync("migrations").filter((f) => f.endsWith(".sql"))) {
    writeFileSync(path.join(dir, file), `-- Up Migration\n${readFileSync(path.join("migrations", file), "utf8")}`);
  }
  return dir;
}

/** node-pg-migrate's `up` of `dir` on `databaseUrl`, one transaction per migration (as ours on PostgreSQL). */
async function npgmUp(databaseUrl: string, dir: string): Promise<void> {
  const { runner } = await import("node-pg-migrate");
  await runner({
    databaseUrl,
    dir,
    direction: "up",
    migrationsTable: "pgmigrations",
    log: () => undefined,
    singleTransaction: false,
  });
}

/** A fresh database each time: ours, node-pg-migrate and the one-query floor take turns. */
export async function freshApply({ pg, runs, report, note }: BenchContext): Promise<void> {
  const schema = readFileSync("schema/complete-schema.sql", "utf8");
  const floor: number[] = [];
  const ours: number[] = [];
  const theirs: number[] = [];
  const bare: number[] = [];
  const snapshot: number[] = [];
  const npgmDir = npgmMigrations();
  for (let k = 0; k < runs; k++) {
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
    theirs.push(await time(() => npgmUp(c, npgmDir)));
    // The engine alone (no product steps: no seed, no audit rows), and what the schema snapshot
    // it records after every applying up costs by itself on a fresh connection.
    const d = await pg.createDatabase();
    bare.push(await time(async () => new Migrator({ connect: await createConnect({ dsn: d }) }).up()));
    snapshot.push(
      await time(async () => {
        const client = new Client({ connectionString: d });
        await client.connect();
        await readSnapshot(client, { excludeTables: ENGINE_TABLES });
        await client.end();
      }),
    );
  }
  note("fresh apply: the engine's parts (medians)", {
    "dbmigrate up, no product steps": `${percentile(bare, 50).toFixed(1)} ms`,
    "the schema snapshot read alone, fresh connection": `${percentile(snapshot, 50).toFixed(1)} ms`,
  });
  report(
    "fresh apply: dbmigrate up, no product steps (median)",
    percentile(bare, 50),
    "node-pg-migrate, same SQL",
    percentile(theirs, 50),
    "fresh-apply-bare-vs-npgm",
  );
  const [oursMs, floorMs, theirsMs] = [ours, floor, theirs].map((values) => percentile(values, 50));
  report(
    "fresh apply + seed: dbmigrate up (median)",
    oursMs,
    "complete-schema.sql in one query",
    floorMs,
    "fresh-apply-vs-one-query",
  );
  report(
    "fresh apply: node-pg-migrate (median)",
    theirsMs,
    "complete-schema.sql in one query",
    floorMs,
    "npgm-vs-one-query",
  );
  report(
    "fresh apply + seed: dbmigrate up (median)",
    oursMs,
    "node-pg-migrate, same SQL",
    theirsMs,
    "fresh-apply-vs-npgm",
  );
}

/**
 * `dbmigrate up` with nothing to do, in process, against one connect + `SELECT 1` on the same
 * database, and against a second floor: connect + the very queries the no-op `up` sent (recorded
 * from one run), sent by hand. The first ratio is what a no-op costs; the second is the engine's
 * own share on top of the reads it cannot skip (the history, the default tenant).
 */
export async function noopUp({ pg, samples, report, note }: BenchContext): Promise<void> {
  const dsn = await pg.createDatabase();
  const connect = await createConnect({ dsn });
  await agoatMigrator({ connect }).up();
  const sent: string[] = [];
  await agoatMigrator({
    connect: async () => {
      const client = await connect();
      return {
        query: (text, values) => {
          if (values?.length) throw new Error(`the no-op up sent a query with parameters: ${text}`);
          sent.push(text);
          return client.query(text);
        },
        end: () => client.end(),
      };
    },
  }).up();
  note("no-op up: what it sends after connecting", { "round trips": sent.length });
  const npgmDsn = await pg.createDatabase();
  const npgmDir = npgmMigrations();
  await npgmUp(npgmDsn, npgmDir);
  const floor: number[] = [];
  const reads: number[] = [];
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let k = 0; k < samples; k++) {
    floor.push(
      await time(async () => {
        const client = await connect();
        await client.query("SELECT 1");
        await client.end();
      }),
    );
    reads.push(
      await time(async () => {
        const client = await connect();
        for (const text of sent) await client.query(text);
        await client.end();
      }),
    );
    ours.push(await time(() => agoatMigrator({ connect }).up()));
    theirs.push(await time(() => npgmUp(npgmDsn, npgmDir)));
  }
  report(
    "no-op up: dbmigrate up (p50)",
    percentile(ours, 50),
    "connect + SELECT 1",
    percentile(floor, 50),
    "noop-up-p50",
  );
  report(
    "no-op up: dbmigrate up (p95)",
    percentile(ours, 95),
    "connect + SELECT 1 (p95)",
    percentile(floor, 95),
    "noop-up-p95",
  );
  report(
    "no-op up: dbmigrate up (p50)",
    percentile(ours, 50),
    "connect + its own queries sent by hand",
    percentile(reads, 50),
    "noop-up-vs-its-reads",
  );
  report(
    "no-op up: dbmigrate up (p50)",
    percentile(ours, 50),
    "node-pg-migrate up with nothing to do",
    percentile(theirs, 50),
    "noop-up-vs-npgm",
  );
  report(
    "no-op up: its own queries sent by hand (p50)",
    percentile(reads, 50),
    "connect + SELECT 1",
    percentile(floor, 50),
    "noop-reads-vs-select-1",
  );
}
