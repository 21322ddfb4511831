/**
 * The AGoat steps are registered on the engine, not part of it: a migration folder without this
 * product's tables is applied without seed and audit (said once), and `status` shows what it skips.
 * The real CLI on a real PostgreSQL.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { runCli } from "../support/cli";
import { agoatSteps } from "../../product";
import { connectTo, recordingLogger, withDb } from "../support/engine";
import { madeUp } from "../support/made-up";
import { startPostgres, type TestPostgres } from "../support/postgres";
import { migrationsDir } from "../support/temp";

let pg: TestPostgres;
before(async () => {
  pg = await startPostgres();
});
after(() => pg?.stop());

const SKIPPED =
  /^AGoat \(default tenant seed, audit rows\): skipped, the migrations create no table customers, sites, domains, audit_logs$/;

describe("AGoat steps on someone else's schema", () => {
  it("up --migrations-dir applies a folder without the product's tables: no seed, no audit, said once; status --json shows the skip", async () => {
    const dsn = await pg.createDatabase();
    const dir = migrationsDir(
      {
        "0001_jobs.sql": "CREATE TABLE jobs (id BIGSERIAL PRIMARY KEY, kind TEXT NOT NULL);\n",
        "0002_jobs_index.sql": "CREATE INDEX jobs_kind_idx ON jobs (kind);\n",
      },
      false,
    );
    const before = await runCli(["status", "--migrations-dir", dir, "--json"], { DATABASE_URL: dsn });
    assert.equal(before.code, 0, before.stderr);
    const status = JSON.parse(before.stdout);
    assert.equal(status.seed, null, "no default tenant to create in someone else's schema");
    assert.equal(status.skipped.length, 1);
    assert.match(status.skipped[0], SKIPPED);
    // Said once: status's own line on stdout, nothing more on stderr (it used to be said twice).
    const text = await runCli(["status", "--migrations-dir", dir], { DATABASE_URL: dsn });
    const lines = [...text.stdout.split("\n"), ...text.stderr.split("\n")].map((l) => l.replace(/^dbmigrate: /, ""));
    assert.equal(lines.filter((l) => SKIPPED.test(l)).length, 1, text.stdout + text.stderr);
    const up = await runCli(["up", "--migrations-dir", dir], { DATABASE_URL: dsn });
    assert.equal(up.code, 0, up.stderr);
    const said = up.stderr.split("\n").filter((l) => SKIPPED.test(l.replace(/^dbmigrate: /, "")));
    assert.equal(said.length, 1, up.stderr);
    assert.match(up.stdout, /^applied 0001_jobs\.sql/m);
    assert.match(up.stdout, /^schema version 0002$/m);
    const tables = await withDb(dsn, (c) =>
      c.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`),
    );
    assert.deepEqual(
      tables.rows.map((r) => r.table_name),
      ["jobs", "schema_migrations", "schema_migrations_lock", "schema_snapshots"],
    );
    const again = await runCli(["up", "--migrations-dir", dir], { DATABASE_URL: dsn });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /nothing to apply: every migration is applied/);
  });

  it("another project's customers/sites/domains/audit_logs (same names, other columns): the steps are skipped, said once, and every up succeeds", async () => {
    const dsn = await pg.createDatabase();
    const files: Record<string, string> = {
      "0001_shop.sql":
        "CREATE TABLE customers (id BIGSERIAL PRIMARY KEY, email TEXT NOT NULL);\nCREATE TABLE audit_logs (id BIGSERIAL PRIMARY KEY, what TEXT);\n",
      "0002_more.sql":
        "CREATE TABLE sites (id BIGSERIAL PRIMARY KEY, url TEXT);\nCREATE TABLE domains (id BIGSERIAL PRIMARY KEY, host TEXT);\n",
    };
    const logger = recordingLogger();
    const product = agoatSteps({}, "tester");
    const result = await madeUp(await connectTo(dsn), files, { product, logger }).up();
    assert.deepEqual(
      result.applied.map((m) => m.file),
      ["0001_shop.sql", "0002_more.sql"],
    );
    assert.equal(result.seed, null);
    assert.match(result.skipped.join("\n"), /skipped, public\.customers has no column name, slug, deleted_at/);
    const audit = await withDb(dsn, (c) => c.query(`SELECT count(*)::INT AS n FROM audit_logs`));
    assert.equal(audit.rows[0].n, 0, "no audit row written into another project's table");
    const status = await madeUp(await connectTo(dsn), files, { product }).status();
    assert.equal(status.seed, null);
    assert.match(status.skipped.join("\n"), /public\.audit_logs has no column customer_id/);
    const again = await madeUp(await connectTo(dsn), files, { product }).up();
    assert.deepEqual(again.applied, []);
  });
});
