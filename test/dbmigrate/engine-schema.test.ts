/**
 * The engine's own tables live in one schema, found from the catalog whatever `search_path` the DSN
 * or a migration sets: never a second history, and a history an older dbmigrate left in `public`
 * keeps being found. On a real PostgreSQL, on both paths.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { checksumOf } from "../../dbmigrate/migrations";
import { connectTo, withDb } from "../support/engine";
import { madeUp, PATHS, table } from "../support/made-up";
import { databaseOf, startPostgres, type TestPostgres } from "../support/postgres";

let pg: TestPostgres;
before(async () => {
  pg = await startPostgres();
});
after(() => pg?.stop());

/** `options=-c search_path=app,public`, URL-encoded as a user writes it in a DSN. */
const APP_FIRST = "options=-c%20search_path%3Dapp%2Cpublic";

/** Every `schema_migrations` table of the database, by schema, with its row count. */
async function histories(dsn: string): Promise<[string, number][]> {
  return withDb(dsn, async (c) => {
    const { rows } = await c.query<{ table_schema: string }>(
      `SELECT table_schema FROM information_schema.tables WHERE table_name = 'schema_migrations' ORDER BY 1`,
    );
    const out: [string, number][] = [];
    for (const { table_schema } of rows) {
      const n = await c.query<{ n: number }>(`SELECT count(*)::INT AS n FROM "${table_schema}".schema_migrations`);
      out.push([table_schema, n.rows[0].n]);
    }
    return out;
  });
}

describe("the engine's schema", () => {
  for (const engine of PATHS) {
    it(`${engine} path: a DSN with search_path=app,public and a migration that creates schema app: one history, nothing applied twice`, async () => {
      const dsn = await pg.createDatabase(APP_FIRST);
      const files: Record<string, string> = {
        "0001_app.sql": `CREATE SCHEMA app;\n${table("in_app")}\n`,
      };
      const first = await madeUp(await connectTo(dsn), files, { engine }).up();
      assert.equal(first.historySchema, "public", "app did not exist when the history was created");
      // Pending work on the next run: before the fix, this run looked in `app` (now first on the
      // search_path), made a second history there and ran 0001 again.
      files["0002_more.sql"] = `${table("more")}\n`;
      const second = await madeUp(await connectTo(dsn), files, { engine }).up();
      assert.deepEqual(
        second.applied.map((m) => m.file),
        ["0002_more.sql"],
      );
      assert.deepEqual(await histories(dsn), [["public", 2]]);
      const status = await madeUp(await connectTo(dsn), files, { engine }).status();
      assert.equal(status.historySchema, "public");
      assert.equal(status.historyExists, true);
      assert.equal(status.pending, 0);
      // Tables of the migrations follow the DSN's search_path, as under psql.
      const where = await withDb(dsn, (c) =>
        c.query(`SELECT table_schema, table_name FROM information_schema.tables WHERE table_name IN ('in_app', 'more')
                  ORDER BY table_name`),
      );
      assert.deepEqual(
        where.rows.map((r) => [r.table_schema, r.table_name]),
        [
          ["app", "in_app"],
          ["app", "more"],
        ],
      );
    });
  }

  it("a history an older dbmigrate made in public is found under search_path=app,public, and brought to the current layout", async () => {
    const plain = await pg.createDatabase();
    const db = databaseOf(plain);
    // What dbmigrate 0.1 left: an unqualified history without the progress columns, in public,
    // and its lock table; then someone adds schema `app` and puts it first on the search_path.
    await pg.query(
      db,
      `CREATE TABLE public.schema_migrations (
         id UUID NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY, version INT8 NOT NULL UNIQUE, name TEXT NOT NULL,
         file TEXT NOT NULL, checksum TEXT NOT NULL, started_at TIMESTAMPTZ NOT NULL DEFAULT now(),
         applied_at TIMESTAMPTZ NULL, execution_ms INT8 NULL, applied_by TEXT NOT NULL,
         dirty BOOLEAN NOT NULL DEFAULT false, baseline BOOLEAN NOT NULL DEFAULT false, skipped_reason TEXT NULL)`,
    );
    const files: Record<string, string> = { "0001_first.sql": `${table("first_t")}\n` };
    await pg.query(db, `CREATE SCHEMA app; ${table("public.first_t")}`);
    await pg.query(
      db,
      `INSERT INTO public.schema_migrations (version, name, file, checksum, applied_at, applied_by)
       VALUES (1, 'first', '0001_first.sql', $1, now(), 'old@host')`,
      [checksumOf(files["0001_first.sql"])],
    );
    const dsn = `${plain}?${APP_FIRST}`;
    files["0002_second.sql"] = `${table("second_t")}\n`;
    const status = await madeUp(await connectTo(dsn), files).status();
    assert.equal(status.historySchema, "public");
    assert.deepEqual(
      status.migrations.map((m) => [m.file, m.state]),
      [
        ["0001_first.sql", "applied"],
        ["0002_second.sql", "pending"],
      ],
    );
    const result = await madeUp(await connectTo(dsn), files).up();
    assert.deepEqual(
      result.applied.map((m) => m.file),
      ["0002_second.sql"],
    );
    assert.deepEqual(await histories(dsn), [["public", 2]]);
    const columns = await pg.query<{ column_name: string }>(
      db,
      `SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'schema_migrations' AND column_name = 'statements_total'`,
    );
    assert.equal(columns.length, 1, "the progress columns were added to the old history");
  });

  it("two histories (left by a dbmigrate that followed search_path) are refused in one line naming both; nothing changes", async () => {
    const dsn = await pg.createDatabase();
    const files = { "0001_first.sql": `${table("first_t")}\n` };
    await madeUp(await connectTo(dsn), files).up();
    const db = databaseOf(dsn);
    await pg.query(db, `CREATE SCHEMA app; CREATE TABLE app.schema_migrations (LIKE public.schema_migrations)`);
    await assert.rejects(
      madeUp(await connectTo(dsn), { ...files, "0002_x.sql": `${table("x")}\n` }).up(),
      /two histories: app\.schema_migrations and public\.schema_migrations/,
    );
    assert.deepEqual(await histories(dsn), [
      ["app", 0],
      ["public", 1],
    ]);
  });

  it("a history schema asked for is where the first up creates the history, and where status finds it", async () => {
    const dsn = await pg.createDatabase();
    const db = databaseOf(dsn);
    await pg.query(db, `CREATE SCHEMA dbmigrate`);
    const files = { "0001_first.sql": `${table("first_t")}\n` };
    const result = await madeUp(await connectTo(dsn), files, { historySchema: "dbmigrate" }).up();
    assert.equal(result.historySchema, "dbmigrate");
    assert.deepEqual(await histories(dsn), [["dbmigrate", 1]]);
    // Found from the catalog without being told again.
    assert.equal((await madeUp(await connectTo(dsn), files).status()).historySchema, "dbmigrate");
  });

  it("two services sharing a database, each in its own schema as its own role: each finds only its own history", async () => {
    const dsn = await pg.createDatabase();
    const suffix = randomBytes(4).toString("hex");
    const dsnOf: Record<string, string> = {};
    for (const service of ["svc_a", "svc_b"]) {
      const role = `${service}_${suffix}`;
      const password = randomBytes(12).toString("hex");
      await withDb(dsn, async (c) => {
        await c.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
        await c.query(`CREATE SCHEMA ${service} AUTHORIZATION ${role}`);
        await c.query(`ALTER ROLE ${role} SET search_path = ${service}`);
      });
      const url = new URL(dsn);
      url.username = role;
      url.password = password;
      dsnOf[service] = url.toString();
    }
    const files = { "0001_one.sql": `${table("one")}\n` };
    for (const service of ["svc_a", "svc_b"]) {
      const result = await madeUp(await connectTo(dsnOf[service]), files).up();
      assert.equal(result.historySchema, service, "a history the role may not use is not its own");
      assert.deepEqual(
        result.applied.map((m) => m.file),
        ["0001_one.sql"],
      );
    }
    for (const service of ["svc_a", "svc_b"]) {
      const status = await madeUp(await connectTo(dsnOf[service]), files).status();
      assert.deepEqual([status.historySchema, status.pending, status.problems], [service, 0, []]);
    }
  });

  it("a schema whose name only looks like a temporary one (pgxtemp) keeps its history", async () => {
    const dsn = await pg.createDatabase("options=-c%20search_path%3Dpgxtemp");
    await withDb(dsn, (c) => c.query("CREATE SCHEMA pgxtemp"));
    const files = { "0001_one.sql": `${table("one")}\n` };
    await madeUp(await connectTo(dsn), files).up();
    const status = await madeUp(await connectTo(dsn), files).status();
    assert.deepEqual([status.historySchema, status.historyExists, status.pending], ["pgxtemp", true, 0]);
  });
});
