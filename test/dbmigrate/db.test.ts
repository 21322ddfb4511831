/** The engine's transaction helper on a real PostgreSQL. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { inTransaction } from "../../dbmigrate/db";
import { withDb } from "../support/engine";
import { startPostgres, type TestPostgres } from "../support/postgres";

let pg: TestPostgres;
before(async () => {
  pg = await startPostgres();
});
after(() => pg?.stop());

describe("inTransaction", () => {
  it("opens with the given statements in one round trip, and commits", async () => {
    const dsn = await pg.createDatabase();
    await withDb(dsn, async (client) => {
      const seen = await inTransaction(
        client,
        async () => (await client.query<{ t: string }>("SELECT current_setting('lock_timeout') AS t")).rows[0].t,
        "BEGIN; SET LOCAL lock_timeout = '1234ms'",
      );
      assert.equal(seen, "1234ms");
    });
  });

  it("when a statement after BEGIN fails, rolls back: the connection is never left in an aborted transaction", async () => {
    const dsn = await pg.createDatabase();
    await withDb(dsn, async (client) => {
      await assert.rejects(
        inTransaction(client, () => Promise.resolve(), "BEGIN; SELECT 1/0"),
        /division by zero/,
      );
      // In an aborted transaction this would fail with 25P02.
      assert.deepEqual((await client.query("SELECT 1 AS one")).rows, [{ one: 1 }]);
    });
  });
});
