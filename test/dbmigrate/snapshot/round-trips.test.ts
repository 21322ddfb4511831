/**
 * The snapshot's reads and writes in as few round trips as they can take, on a real PostgreSQL
 * (each `query` of node-postgres' client counted): the catalog in one, drift (recorded snapshot
 * and live catalog) in one, a record in one while fewer than KEPT_SNAPSHOTS are kept, with the
 * same snapshots, reports and kept rows as before.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ENGINE_TABLES } from "../../../dbmigrate/engine-schema";
import {
  readRecordedSnapshot,
  readSnapshot,
  recordSnapshot,
  schemaDrift,
  snapshotHash,
  SNAPSHOT_TABLE,
} from "../../../dbmigrate/snapshot";
import { KEPT_SNAPSHOTS } from "../../../dbmigrate/snapshot/store";
import { migratedDatabase, withDb } from "../../support/engine";
import { startPostgres, type TestPostgres } from "../../support/postgres";
import { counting, type CountingClient } from "../../support/round-trips";

let pg: TestPostgres;
before(async () => {
  pg = await startPostgres();
});
after(() => pg?.stop());

/** What `c` sends while `work` runs. */
async function tripsOf(c: CountingClient, work: () => Promise<unknown>): Promise<string[]> {
  c.trips.length = 0;
  await work();
  return [...c.trips];
}

const SNAPSHOTS = `"public".${SNAPSHOT_TABLE}`;

describe("snapshot round trips", () => {
  it("readSnapshot reads the whole catalog in one round trip, of the current schema or the one named", async () => {
    const dsn = await migratedDatabase(pg);
    await withDb(dsn, async (client) => {
      const c = counting(client);
      let current!: Awaited<ReturnType<typeof readSnapshot>>;
      const trips = await tripsOf(c, async () => (current = await readSnapshot(c, { excludeTables: ENGINE_TABLES })));
      assert.equal(trips.length, 1, trips.join("\n---\n"));
      assert.equal(current.schema, "public");
      assert.ok(current.tables.some((t) => t.name === "posts"));
      assert.ok(current.tables.every((t) => !ENGINE_TABLES.includes(t.name)));
      let named!: Awaited<ReturnType<typeof readSnapshot>>;
      const namedTrips = await tripsOf(
        c,
        async () => (named = await readSnapshot(c, { schema: "public", excludeTables: ENGINE_TABLES })),
      );
      assert.equal(namedTrips.length, 1);
      assert.equal(snapshotHash(named), snapshotHash(current));
    });
  });

  it("schemaDrift reads the recorded snapshot and the live catalog in one round trip; two before any record", async () => {
    const dsn = await migratedDatabase(pg);
    await withDb(dsn, async (client) => {
      const c = counting(client);
      let report!: Awaited<ReturnType<typeof schemaDrift>>;
      const trips = await tripsOf(
        c,
        async () => (report = await schemaDrift(c, { engineTables: ENGINE_TABLES, snapshotTable: SNAPSHOTS })),
      );
      assert.equal(trips.length, 1, trips.join("\n---\n"));
      const recorded = await readRecordedSnapshot(client, SNAPSHOTS);
      assert.equal(report.recordedHash, recorded?.hash);
      assert.equal(report.recordedAt, recorded?.recordedAt.toISOString());
      assert.equal(report.liveHash, report.recordedHash, "clean right after up");
      assert.deepEqual(report.changes, []);

      await client.query("ALTER TABLE posts ADD COLUMN tags text[]");
      const drifted = await schemaDrift(c, { engineTables: ENGINE_TABLES, snapshotTable: SNAPSHOTS });
      assert.deepEqual(
        drifted.changes.map((x) => `${x.change} ${x.kind} ${x.object}`),
        ["added column posts.tags"],
      );
    });
    const fresh = await pg.createDatabase();
    await withDb(fresh, async (client) => {
      await client.query("CREATE TABLE kept (id int PRIMARY KEY)");
      const c = counting(client);
      let report!: Awaited<ReturnType<typeof schemaDrift>>;
      const trips = await tripsOf(
        c,
        async () => (report = await schemaDrift(c, { engineTables: ENGINE_TABLES, snapshotTable: SNAPSHOTS })),
      );
      assert.equal(trips.length, 2, "the statement fails on the missing table; the catalog alone then");
      assert.deepEqual(report, {
        recordedHash: null,
        recordedAt: null,
        liveHash: snapshotHash(await readSnapshot(client, { excludeTables: ENGINE_TABLES })),
        changes: [],
      });
    });
  });

  it("schemaDrift reads the schema the recorded snapshot was taken of, and ignores one of another format", async () => {
    const dsn = await pg.createDatabase();
    await withDb(dsn, async (client) => {
      await client.query(
        "CREATE SCHEMA app; CREATE TABLE app.side (id int PRIMARY KEY); CREATE TABLE public.kept (id int)",
      );
      const app = await readSnapshot(client, { schema: "app" });
      await recordSnapshot(client, app, 1, SNAPSHOTS);
      const c = counting(client);
      let report!: Awaited<ReturnType<typeof schemaDrift>>;
      const trips = await tripsOf(
        c,
        async () => (report = await schemaDrift(c, { engineTables: ENGINE_TABLES, snapshotTable: SNAPSHOTS })),
      );
      assert.equal(trips.length, 1);
      assert.equal(report.liveHash, snapshotHash(app), "schema app, not the session's public");
      assert.deepEqual(report.changes, []);

      await client.query(`UPDATE ${SNAPSHOTS} SET format = 0`);
      const other = await schemaDrift(c, { engineTables: ENGINE_TABLES, snapshotTable: SNAPSHOTS });
      assert.equal(other.recordedHash, null);
      assert.notEqual(other.recordedAt, null);
      assert.equal(
        other.liveHash,
        snapshotHash(await readSnapshot(client, { excludeTables: ENGINE_TABLES })),
        "the current schema when the recorded one cannot be read",
      );
    });
  });

  it(`recordSnapshot takes one round trip while fewer than ${KEPT_SNAPSHOTS} are kept, two after, three the first time; the latest ${KEPT_SNAPSHOTS} stay`, async () => {
    const dsn = await pg.createDatabase();
    await withDb(dsn, async (client) => {
      await client.query("CREATE TABLE kept (id int PRIMARY KEY)");
      const snapshot = await readSnapshot(client, { excludeTables: ENGINE_TABLES });
      const c = counting(client);
      const perRecord: number[] = [];
      for (let version = 1; version <= KEPT_SNAPSHOTS + 5; version++) {
        perRecord.push((await tripsOf(c, () => recordSnapshot(c, snapshot, version, SNAPSHOTS))).length);
      }
      assert.deepEqual(perRecord, [3, ...Array<number>(KEPT_SNAPSHOTS - 1).fill(1), ...Array<number>(5).fill(2)]);
      const versions = await client.query<{ v: number }>(
        `SELECT schema_version::int AS v FROM ${SNAPSHOTS} ORDER BY recorded_at, id`,
      );
      assert.deepEqual(
        versions.rows.map((r) => r.v),
        Array.from({ length: KEPT_SNAPSHOTS }, (_, k) => k + 6),
      );
      const latest = await readRecordedSnapshot(client, SNAPSHOTS);
      assert.equal(latest?.schemaVersion, KEPT_SNAPSHOTS + 5);
      assert.equal(latest?.hash, snapshotHash(snapshot));
    });
  });
});
