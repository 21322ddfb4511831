/** Folded reads on a real PostgreSQL: one round trip for every reader, the same answers as alone. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { SqlClient } from "../../dbmigrate/db";
import { sqlStateOf } from "../../dbmigrate/errors";
import { inline, readTogether, type Reader } from "../../dbmigrate/read-together";
import { migratedDatabase, withDb } from "../support/engine";
import { startPostgres, type TestPostgres } from "../support/postgres";
import { counting } from "../support/round-trips";

let pg: TestPostgres;
before(async () => {
  pg = await startPostgres();
});
after(() => pg?.stop());

/** A table's rows, or null when it does not exist: the shape of the engine's own readers. */
const rowsOf =
  (table: string, where = "", values: unknown[] = []): Reader<unknown[] | null> =>
  async (client) => {
    try {
      return (await client.query(`SELECT * FROM ${table} ${where} ORDER BY 1`, values)).rows;
    } catch (error) {
      if (sqlStateOf(error) === "42P01") return null;
      throw error;
    }
  };

const version: Reader<string> = async (client) =>
  (await client.query<{ n: string }>("SELECT current_setting('server_version_num') AS n")).rows[0].n;

/** Quotes in the text and a string array as a parameter: written in, they must mean the same. */
const catalog: Reader<string[]> = async (client) =>
  (
    await client.query<{ relname: string }>(
      `SELECT c.relname FROM pg_class c WHERE c.relkind = 'r' AND c.relname = ANY($1) ORDER BY array_position($1, c.relname::TEXT)`,
      [["sites", "customers", "no_such_table"]],
    )
  ).rows.map((r) => r.relname);

const READERS = [
  version,
  rowsOf("schema_migrations"),
  rowsOf("customers", "WHERE slug = $1", ["default"]),
  rowsOf("schema_migrations_lock"),
  catalog,
] as const;

async function alone(client: SqlClient): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const reader of READERS) out.push(await reader(client));
  return out;
}

describe("readTogether", () => {
  it("sends every reader's query in one round trip and answers as each would alone", async () => {
    const dsn = await migratedDatabase(pg);
    await withDb(dsn, async (client) => {
      const c = counting(client);
      const together = await readTogether(c, READERS);
      assert.equal(c.trips.length, 1, c.trips.join("\n---\n"));
      assert.match(c.trips[0], /WHERE slug = 'default'/);
      assert.deepEqual(together, await alone(client));
    });
  });

  it("on a fresh database, where a table is missing, reruns each reader alone with the same answers", async () => {
    const dsn = await pg.createDatabase();
    await withDb(dsn, async (client) => {
      const c = counting(client);
      const together = await readTogether(c, READERS);
      assert.equal(c.trips.length, 1 + READERS.length);
      assert.deepEqual(together, await alone(client));
      assert.deepEqual(together.slice(1), [null, null, null, []]);
    });
  });

  it("passes a reader's own error on, as it would alone", async () => {
    const dsn = await pg.createDatabase();
    const broken: Reader<unknown> = (client) => client.query("SELECT nope FROM pg_class");
    await withDb(dsn, async (client) => {
      await assert.rejects(readTogether(client, [version, broken]), (error) => sqlStateOf(error) === "42703");
    });
  });

  it("folds a reader's own readTogether into the batch it is in", async () => {
    const dsn = await migratedDatabase(pg);
    const inner: Reader<unknown[]> = (client) => readTogether(client, [version, catalog]);
    await withDb(dsn, async (client) => {
      const c = counting(client);
      const together = await readTogether(c, [rowsOf("schema_migrations"), inner]);
      assert.equal(c.trips.length, 1, c.trips.join("\n---\n"));
      assert.deepEqual(together, [
        await rowsOf("schema_migrations")(client),
        [await version(client), ["sites", "customers"]],
      ]);
    });
  });

  it("sends later queries of a reader on their own", async () => {
    const dsn = await migratedDatabase(pg);
    const twice: Reader<number> = async (client) => {
      await client.query("SELECT 1");
      return (await client.query<{ n: number }>("SELECT 2 AS n")).rows[0].n;
    };
    await withDb(dsn, async (client) => {
      const c = counting(client);
      assert.deepEqual(await readTogether(c, [version, twice]), [await version(client), 2]);
      assert.equal(c.trips.length, 2);
    });
  });
});

describe("inline", () => {
  it("writes parameters in only where that is exact", () => {
    assert.equal(inline("SELECT $1, $2, $3, $4", ["it's", 3, true, null]), "SELECT 'it''s', 3, true, NULL");
    assert.equal(inline("SELECT $1", ["back\\slash"]), undefined);
    assert.equal(inline("SELECT $1", [{ a: 1 }]), undefined);
    assert.equal(inline("SELECT $1", [Number.NaN]), undefined);
    assert.equal(inline("SELECT '$1'", ["x"]), undefined);
    assert.equal(inline("SELECT $$ $1 $$", ["x"]), undefined);
    assert.equal(inline("SELECT $2", ["x"]), undefined);
    assert.equal(inline("SELECT 1 -- $1", ["x"]), undefined);
    assert.equal(inline("SELECT current_setting('a')"), "SELECT current_setting('a')");
    assert.equal(inline("SELECT 5-$1", [-1]), "SELECT 5-(-1)");
    assert.equal(inline("SELECT $1, $1", ["x"]), "SELECT 'x', 'x'");
    assert.equal(inline("SELECT $1", ["x", "unused"]), undefined);
  });

  it("reads quotes and comments around the placeholders", () => {
    assert.equal(
      inline("SELECT 'it''s $1', \"a$b\", $1 -- $2\n/* $2 */ WHERE x = ANY($2)", ["v", ["a", "b'c"]]),
      "SELECT 'it''s $1', \"a$b\", 'v' -- $2\n/* $2 */ WHERE x = ANY(ARRAY['a', 'b''c']::TEXT[])",
    );
    assert.equal(inline("SELECT E'\\'' || $1", ["x"]), undefined);
    assert.equal(inline("SELECT 'open $1", ["x"]), undefined);
    assert.equal(inline("SELECT /* /* nested */ */ $1", ["x"]), undefined);
    assert.equal(inline("SELECT $1", [["a", 1]]), undefined);
    assert.equal(inline("SELECT $1", [[]]), "SELECT ARRAY[]::TEXT[]");
  });
});
