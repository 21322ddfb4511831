/**
 * The engine's hot paths against their floors:
 *   fresh apply + seed  dbmigrate up            vs  complete-schema.sql sent in one query (floor)
 *                                               vs  node-pg-migrate applying the same SQL
 *   no-op up            dbmigrate up (nothing)  vs  connect + `SELECT 1` (floor)
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { Client } from "pg";
import { createConnect } from "../dbmigrate";
import { agoatMigrator } from "../product";
import { tempDir } from "../test/support/temp";
import type { BenchContext } from "./bench";
import { percentile, time } from "./report";

/** A fresh database each time: ours, node-pg-migrate and the one-query floor take turns. */
export async function freshApply({ pg, runs, report }: BenchContext): Promise<void> {
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

/** `dbmigrate up` with nothing to do, in process, against one connect + `SELECT 1` on the same database. */
export async function noopUp({ pg, samples, report }: BenchContext): Promise<void> {
  const dsn = await pg.createDatabase();
  const connect = await createConnect({ dsn });
  await agoatMigrator({ connect }).up();
  const floor: number[] = [];
  const ours: number[] = [];
  for (let k = 0; k < samples; k++) {
    floor.push(
      await time(async () => {
        const client = await connect();
        await client.query("SELECT 1");
        await client.end();
      }),
    );
    ours.push(await time(() => agoatMigrator({ connect }).up()));
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
}
