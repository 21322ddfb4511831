/**
 * The golden inputs applied on a real PostgreSQL, on both paths (PostgreSQL: one transaction per
 * migration; CockroachDB forced: statement by statement): what the parser split is what the
 * server runs, a server error after multi-byte characters names the right line, and a file the
 * parser rejects stops before any database I/O.
 */
import assert from "node:assert/strict";
import { copyFileSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Connect } from "../../../dbmigrate/db";
import type { Engine } from "../../../dbmigrate/dialect";
import { DbMigrateError } from "../../../dbmigrate/errors";
import { Migrator } from "../../../dbmigrate/runner";
import { connectTo, withDb } from "../../support/engine";
import { startPostgres, type TestPostgres } from "../../support/postgres";
import { migrationsDir } from "../../support/temp";

const GOLDEN_DIR = path.join("test", "dbmigrate", "sql", "golden");

let pg: TestPostgres;
before(async () => {
  pg = await startPostgres();
});
after(() => pg?.stop());

/**
 * The project's migrations (the seed that `up` writes needs their tables), then the golden inputs
 * up to and including number `last`, renumbered from 0101 and copied byte for byte.
 */
function goldenMigrations(last: number): string {
  const dir = migrationsDir();
  for (const file of readdirSync(GOLDEN_DIR).filter((f) => f.endsWith(".sql") && Number(f.slice(0, 4)) <= last))
    copyFileSync(path.join(GOLDEN_DIR, file), path.join(dir, `01${file.slice(2)}`));
  return dir;
}

/** A Connect that counts the connections it opens. */
function counting(connect: Connect): Connect & { opened: number } {
  const counted = Object.assign(
    async () => {
      counted.opened++;
      return connect();
    },
    { opened: 0 },
  );
  return counted;
}

for (const engine of ["postgres", "cockroachdb"] as Engine[]) {
  describe(`golden inputs on a real database (${engine} path)`, () => {
    it("applies every input the parser accepts, with strings, comments and dollar quotes intact", async () => {
      const dsn = await pg.createDatabase();
      const migrator = new Migrator({ connect: await connectTo(dsn), engine, migrationsDir: goldenMigrations(8) });
      const result = await migrator.up();
      assert.deepEqual(
        result.applied.slice(-8).map((m) => m.version),
        [101, 102, 103, 104, 105, 106, 107, 108],
      );
      await withDb(dsn, async (c) => {
        const rows = async (sql: string) => (await c.query(sql)).rows;
        assert.deepEqual(await rows(`SELECT id, note FROM golden_nested`), [{ id: 1, note: "one" }]);
        assert.equal((await rows(`SELECT to_regclass('not_created') AS t`))[0].t, null, "the commented-out table");
        assert.deepEqual(
          (await rows(`SELECT v FROM golden_e ORDER BY v`)).map((r) => r.v),
          ["back\\slash; and 'quote'", "doubled 'quote'; here", "it's; tricky"],
        );
        assert.deepEqual(await rows(`SELECT obj_description('golden_dollar'::regclass) AS d`), [{ d: "a;b" }]);
        assert.deepEqual(await rows(`SELECT col_description('golden_dollar'::regclass, 1) AS d`), [
          { d: "it's $$ nested; -- not a comment " },
        ]);
        assert.deepEqual(
          (await rows(`SELECT v FROM golden_dollar ORDER BY v`)).map((r) => r.v),
          ["/* no comment */", ";"],
        );
        assert.deepEqual(await rows(`SELECT * FROM "golden;weird--name"`), [
          { "semi;colon": "-- not a comment; really", "dash--dash": "/* nor this; */" },
        ]);
        assert.deepEqual(await rows(`SELECT id, v FROM golden_crlf`), [{ id: 1, v: "a;b" }]);
        assert.deepEqual(await rows(`SELECT id FROM golden_eof`), [{ id: 1 }]);
      });
    });

    it("names the line of a server error that follows multi-byte characters", async () => {
      const dsn = await pg.createDatabase();
      const migrator = new Migrator({ connect: await connectTo(dsn), engine, migrationsDir: goldenMigrations(9) });
      await assert.rejects(migrator.up(), (error: DbMigrateError) => {
        // golden_no_such_table starts line 5; the emoji on lines 1 and 4 must not pull it onto line 4.
        assert.match(
          error.describe(),
          /0109_emoji_server_error\.sql failed at line 5: .*0109_emoji_server_error\.sql:5\)/,
        );
        assert.equal(error.sqlState, "42P01");
        return true;
      });
    });

    it("refuses a file the parser rejects before any database I/O, naming file:line:column", async () => {
      const connect = counting(await connectTo(await pg.createDatabase()));
      const migrator = new Migrator({ connect, engine, migrationsDir: goldenMigrations(10) });
      await assert.rejects(migrator.up(), (error: DbMigrateError) => {
        assert.match(
          error.describe(),
          /^0110_emoji_syntax_error\.sql does not parse: syntax error at or near "," \(.*0110_emoji_syntax_error\.sql:3:46\)/,
        );
        assert.equal(error.exitCode, 2);
        return true;
      });
      assert.equal(connect.opened, 0);
    });

    it("refuses a migration with its own transaction control before any database I/O, naming file:line", async () => {
      const dir = migrationsDir({
        "0900_own_transaction.sql": "CREATE TABLE own_tx (id INT);\nCOMMIT;\nCREATE TABLE own_tx_2 (id INT);\n",
      });
      const connect = counting(await connectTo(await pg.createDatabase()));
      const migrator = new Migrator({ connect, engine, migrationsDir: dir });
      await assert.rejects(migrator.up(), (error: DbMigrateError) => {
        assert.match(
          error.describe(),
          /^migration file '0900_own_transaction.sql' contains transaction control \(COMMIT\) \(.*0900_own_transaction\.sql:2:1\)\. Remove it/,
        );
        return true;
      });
      assert.equal(connect.opened, 0);
    });
  });
}
