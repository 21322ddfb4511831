/**
 * A transactional migration sent as one query on a real PostgreSQL: one round trip for its
 * statements, and a failure still names the statement's file line and SQLSTATE, with nothing applied.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { DbMigrateError } from "../../dbmigrate/errors";
import { Migrator } from "../../dbmigrate/runner";
import { connectTo, withDb } from "../support/engine";
import { startPostgres, type TestPostgres } from "../support/postgres";
import { countingConnect } from "../support/round-trips";
import { migrationsDir } from "../support/temp";

let pg: TestPostgres;
before(async () => {
  pg = await startPostgres();
});
after(() => pg?.stop());

const GOOD = `CREATE TABLE a (id INT PRIMARY KEY);
CREATE TABLE b (id INT PRIMARY KEY, a_id INT REFERENCES a (id));
INSERT INTO a (id) VALUES (1), (2);
`;

async function upWith(files: Record<string, string>): Promise<{ dsn: string; sent: string[]; error?: DbMigrateError }> {
  const dsn = await pg.createDatabase();
  const sent: string[] = [];
  // The engine alone (no product steps): only the files' own tables.
  const migrator = new Migrator({
    connect: countingConnect(await connectTo(dsn), sent).connect,
    migrationsDir: migrationsDir(files, false),
  });
  try {
    await migrator.up();
    return { dsn, sent };
  } catch (error) {
    return { dsn, sent, error: error as DbMigrateError };
  }
}

async function tables(dsn: string): Promise<string[]> {
  return withDb(dsn, async (c) =>
    (
      await c.query<{ t: string }>(
        `SELECT table_name AS t FROM information_schema.tables WHERE table_schema = current_schema() AND table_name IN ('a', 'b', 'c') ORDER BY 1`,
      )
    ).rows.map((r) => r.t),
  );
}

describe("a transactional migration as one query", () => {
  it("sends its statements in one round trip", async () => {
    const { dsn, sent, error } = await upWith({ "0001_good.sql": GOOD });
    assert.equal(error, undefined);
    const carrying = sent.filter((q) => q.includes("CREATE TABLE a"));
    assert.equal(carrying.length, 1);
    assert.match(carrying[0], /CREATE TABLE b[\s\S]*INSERT INTO a/);
    assert.deepEqual(await tables(dsn), ["a", "b"]);
  });

  it("names the line of an error the server places (42703), inside the third statement", async () => {
    const { dsn, error } = await upWith({
      "0001_bad.sql": `${GOOD}\n-- a comment line\nSELECT id,\n       nope\n  FROM a;\n`,
    });
    assert.ok(error);
    assert.equal(error.sqlState, "42703");
    assert.equal(error.line, 7);
    assert.match(error.message, /0001_bad\.sql failed at line 7: column "nope" does not exist/);
    assert.deepEqual(await tables(dsn), [], "nothing of it was applied");
  });

  it("names the statement of an error with no position (23505) by running them one by one", async () => {
    const { dsn, sent, error } = await upWith({
      "0001_dup.sql": `${GOOD}CREATE TABLE c (id INT);\nINSERT INTO a (id)\n  VALUES (1);\nCREATE TABLE never (id INT);\n`,
    });
    assert.ok(error);
    assert.equal(error.sqlState, "23505");
    assert.equal(error.line, 5);
    assert.ok(sent.some((q) => q.startsWith("ROLLBACK TO SAVEPOINT")));
    assert.ok(!sent.some((q) => q === "CREATE TABLE never (id INT)"), "stops at the failing statement");
    assert.deepEqual(await tables(dsn), [], "nothing of it was applied");
  });

  it("counts positions in characters: a multi-byte name before the error", async () => {
    const { error } = await upWith({
      "0001_utf8.sql": `CREATE TABLE a (id INT, "größe" TEXT);\nCOMMENT ON TABLE a IS 'ünïcödé ✓';\nSELECT\n  nope FROM a;\n`,
    });
    assert.ok(error);
    assert.equal(error.sqlState, "42703");
    assert.equal(error.line, 4);
  });
});
