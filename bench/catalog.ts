/**
 * Each docs/queries.md query at 1,000 tenants and 1M posts (`--quick`: 100 and 50k), p50/p95, with
 * its index and with index scans disabled.
 */
import { performance } from "node:perf_hooks";
import { Client } from "pg";
import { createConnect } from "../dbmigrate";
import { agoatMigrator } from "../product";
import { loadDataset } from "../test/support/dataset";
import { withDb } from "../test/support/engine";
import { bindPlaceholders, readQueryCatalog } from "../test/support/query-catalog";
import type { BenchContext } from "./bench";
import { percentile, time } from "./report";

const FULL = { tenants: 1000, sitesPerTenant: 2, usersPerTenant: 10, postsPerSite: 500 };
const QUICK = { tenants: 100, sitesPerTenant: 2, usersPerTenant: 10, postsPerSite: 250 };

export async function catalogQueries({ pg, quick, samples, note }: BenchContext): Promise<void> {
  const size = quick ? QUICK : FULL;
  const dsn = await pg.createDatabase();
  await agoatMigrator({ connect: await createConnect({ dsn }) }).up();
  const started = performance.now();
  const params = await withDb(dsn, (client) => loadDataset(client, size));
  const posts = await withDb(dsn, async (c) =>
    Number((await c.query<{ n: string }>("SELECT count(*) AS n FROM posts")).rows[0].n),
  );
  console.log(
    `data set: ${size.tenants} tenants, ${posts} posts, loaded in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  const client = new Client({ connectionString: dsn });
  await client.connect();
  try {
    for (const query of readQueryCatalog()) {
      const { text, values } = bindPlaceholders(query.sql, params);
      const sample = async () => {
        const times: number[] = [];
        for (let k = 0; k < samples; k++) times.push(await time(() => client.query(text, values)));
        return times;
      };
      await client.query(text, values); // warm the cache for both runs alike
      const indexed = await sample();
      await client.query("SET enable_indexscan = off; SET enable_bitmapscan = off; SET enable_indexonlyscan = off");
      const scanned = await sample();
      await client.query("RESET enable_indexscan; RESET enable_bitmapscan; RESET enable_indexonlyscan");
      const [p50, p95, seqP50, seqP95] = [
        percentile(indexed, 50),
        percentile(indexed, 95),
        percentile(scanned, 50),
        percentile(scanned, 95),
      ];
      note(`${query.id} ${query.index}`, { p50, p95, seqP50, seqP95, speedUp: `x${(seqP50 / p50).toFixed(0)}` });
    }
  } finally {
    await client.end();
  }
}
