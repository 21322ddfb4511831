/**
 * CockroachDB-only migrations (`-- dbmigrate:requires cockroachdb`, docs/adrs/0013): PostgreSQL's
 * grammar never reads them; on PostgreSQL they wait unrecorded while later migrations apply, and
 * `status` says they wait for CockroachDB; on the CockroachDB path (forced on a real PostgreSQL)
 * they run statement by statement like any migration.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parseMigration } from "../../../dbmigrate/migrations";
import { COCKROACHDB_STATEMENT_KIND, isCockroachdbOnly } from "../../../dbmigrate/sql/cockroachdb-only";
import { connectTo, withDb } from "../../support/engine";
import { cockroachServer, madeUp, table, TWO } from "../../support/made-up";
import { startPostgres, type TestPostgres } from "../../support/postgres";

const HASH_INDEX = `-- dbmigrate:requires cockroachdb
-- Hash-sharded: no hotspot on the sequential created_at.
CREATE INDEX first_a_hash ON first_a (id) USING HASH WITH (bucket_count = 8);
ALTER TABLE first_a CONFIGURE ZONE USING num_replicas = 5; -- trailing note
CREATE FUNCTION f() RETURNS INT LANGUAGE SQL BEGIN ATOMIC SELECT 1; SELECT 2; END;
`;

describe("CockroachDB-only migrations", () => {
  it("are recognised by their header only", () => {
    assert.equal(isCockroachdbOnly(HASH_INDEX), true);
    assert.equal(isCockroachdbOnly(`-- note\n\n--dbmigrate:requires   cockroachdb\nSELECT 1;`), true);
    assert.equal(isCockroachdbOnly(`SELECT 1;\n-- dbmigrate:requires cockroachdb\n`), false);
    assert.equal(isCockroachdbOnly(`-- dbmigrate:requires row_level_security\nSELECT 1;`), false);
  });

  it("are cut into statements without PostgreSQL's grammar (BEGIN ATOMIC bodies kept whole) and gated", async () => {
    const m = await parseMigration("0003_hash.sql", HASH_INDEX);
    assert.deepEqual(m.requires, ["cockroachdb"]);
    assert.deepEqual(
      m.statements.map((s) => [s.line, s.column, s.kind, s.sql]),
      [
        [
          3,
          1,
          COCKROACHDB_STATEMENT_KIND,
          "CREATE INDEX first_a_hash ON first_a (id) USING HASH WITH (bucket_count = 8)",
        ],
        [4, 1, COCKROACHDB_STATEMENT_KIND, "ALTER TABLE first_a CONFIGURE ZONE USING num_replicas = 5"],
        [
          5,
          1,
          COCKROACHDB_STATEMENT_KIND,
          "CREATE FUNCTION f() RETURNS INT LANGUAGE SQL BEGIN ATOMIC SELECT 1; SELECT 2; END",
        ],
      ],
    );
    assert.ok(m.statements[1].comments.some((c) => c.text === "-- trailing note"));
  });

  it("refuses transaction control in them, as in any migration", async () => {
    await assert.rejects(
      parseMigration("0003_x.sql", `-- dbmigrate:requires cockroachdb\nCREATE INDEX i ON t (a) USING HASH;\nCOMMIT;\n`),
      /contains transaction control \(COMMIT\)/,
    );
  });
});

describe("CockroachDB-only migrations against a real PostgreSQL", () => {
  let pg: TestPostgres;
  before(async () => {
    pg = await startPostgres();
  });
  after(() => pg?.stop());

  it("wait unrecorded on PostgreSQL, later migrations apply, and status says they wait for CockroachDB", async () => {
    const dsn = await pg.createDatabase();
    const connect = await connectTo(dsn);
    const files = { ...TWO, "0003_hash.sql": HASH_INDEX, "0004_after.sql": `${table("after_hash")}\n` };
    const result = await madeUp(connect, files).up();
    assert.deepEqual(
      result.applied.map((m) => m.file),
      ["0001_first.sql", "0002_second.sql", "0004_after.sql"],
    );
    const status = await madeUp(connect, files).status();
    const waiting = status.migrations.find((m) => m.file === "0003_hash.sql")!;
    assert.equal(waiting.state, "waiting");
    assert.match(waiting.waitingFor!, /^it waits for CockroachDB: .*this server is PostgreSQL \d+/);
    assert.deepEqual(status.problems, []);
    const rows = await withDb(dsn, (c) => c.query(`SELECT version FROM schema_migrations WHERE version = 3`));
    assert.equal(rows.rowCount, 0, "not recorded");
  });

  it("run statement by statement on the CockroachDB path", async () => {
    const dsn = await pg.createDatabase();
    const connect = await connectTo(dsn);
    // Statements PostgreSQL can run stand in for CockroachDB-only ones (no CockroachDB server here).
    const files = {
      ...TWO,
      "0003_crdb.sql": `-- dbmigrate:requires cockroachdb\n${table("crdb_a")}\nCREATE INDEX crdb_a_id ON crdb_a (id);\n`,
    };
    const result = await madeUp(connect, files, {
      engine: "cockroachdb",
      server: cockroachServer("v23.2.4", "23.2"),
    }).up();
    assert.deepEqual(
      result.applied.map((m) => m.file),
      ["0001_first.sql", "0002_second.sql", "0003_crdb.sql"],
    );
    const rows = await withDb(dsn, (c) =>
      c.query(`SELECT statements_done::INT AS done FROM schema_migrations WHERE version = 3`),
    );
    assert.equal(rows.rows[0].done, 2);
  });
});
