/**
 * What a command reads before it changes anything, on a real PostgreSQL: one round trip on an
 * up-to-date database (no-op `up`, `status`), the same answers wherever the engine's schema is,
 * and never two queries at once on one connection.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { SqlClient } from "../../dbmigrate/db";
import { inspectAt } from "../../dbmigrate/inspection";
import { readHistory } from "../../dbmigrate/history";
import { connectTo, migratedDatabase, migratorFor, withDb } from "../support/engine";
import { startPostgres, type TestPostgres } from "../support/postgres";
import { countingConnect } from "../support/round-trips";

let pg: TestPostgres;
before(async () => {
  pg = await startPostgres();
});
after(() => pg?.stop());

/** `options=-c search_path=app,public`, URL-encoded as a user writes it in a DSN. */
const APP_FIRST = "options=-c%20search_path%3Dapp%2Cpublic";

describe("inspection", () => {
  it("a no-op up on an up-to-date database is one round trip after connecting", async () => {
    const dsn = await migratedDatabase(pg);
    const { connect, trips } = countingConnect(await connectTo(dsn));
    const result = await (await migratorFor(dsn, { connect })).up();
    assert.deepEqual(result.applied, []);
    assert.equal(trips.length, 1, trips.join("\n---\n"));
  });

  it("status reads the history, the lock, the default tenant and the drift in one round trip too", async () => {
    const dsn = await migratedDatabase(pg);
    const { connect, trips } = countingConnect(await connectTo(dsn));
    const report = await (await migratorFor(dsn, { connect })).status();
    assert.equal(report.pending, 0);
    assert.notEqual(report.seed?.customerId, null);
    assert.equal(report.schema.changes.length, 0);
    assert.equal(trips.length, 1, trips.join("\n---\n"));
  });

  it("a history in another schema than the expected one: read again there, with the same answers", async () => {
    const dsn = await pg.createDatabase(APP_FIRST);
    await withDb(dsn, (c) => c.query("CREATE SCHEMA app"));
    await (await migratorFor(dsn)).up();
    const { connect, trips } = countingConnect(await connectTo(dsn));
    const report = await (await migratorFor(dsn, { connect })).status();
    assert.equal(report.historySchema, "app");
    assert.equal(report.pending, 0);
    assert.equal(report.problems.length, 0);
    assert.notEqual(report.seed?.customerId, null);
    assert.ok(trips.length >= 2, "the expected schema's reads are not the answer here");
    const noop = await (await migratorFor(dsn, { connect })).up();
    assert.deepEqual(noop.applied, []);
  });

  it("on a fresh database every reader still answers as it would alone", async () => {
    const dsn = await pg.createDatabase();
    await withDb(dsn, async (client) => {
      const found = await inspectAt(client, {
        first: async (c) =>
          (await c.query<{ n: string }>("SELECT current_setting('server_version_num') AS n")).rows[0].n,
        readers: [readHistory] as const,
      });
      assert.equal(found.at.exists, false);
      assert.equal(found.at.name, "public");
      assert.deepEqual(found.read, [null]);
    });
  });

  it("a reader's error at the engine's schema is its own", async () => {
    const dsn = await migratedDatabase(pg);
    await withDb(dsn, async (client) => {
      const broken = (c: SqlClient) => c.query("SELECT no_such_column FROM public.schema_migrations");
      await assert.rejects(
        inspectAt(client, { first: () => Promise.resolve(0), readers: [broken] as const }),
        /no_such_column/,
      );
    });
  });
});
