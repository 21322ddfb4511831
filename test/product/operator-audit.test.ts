/**
 * A person's actions on the engine's state leave an audit row on a product database (the AGoat
 * step the runner calls in the action's transaction): `resolve --applied`, `resolve --rolled-back`
 * and `unlock --force`, each named; on someone else's schema the same actions succeed without one.
 * The real CLI on a real PostgreSQL.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { LOCK_NAME } from "../../dbmigrate/lock";
import { runCli } from "../support/cli";
import { databaseOf, startPostgres, type TestPostgres } from "../support/postgres";
import { migrationsDir } from "../support/temp";

let pg: TestPostgres;
before(async () => {
  pg = await startPostgres();
});
after(() => pg?.stop());

/** Statement 2 refers to a table nobody made: on the statement-by-statement path statement 1 stays, dirty. */
const broken = (name: string) =>
  `CREATE TABLE ${name}_one (id INT8 PRIMARY KEY);\nCREATE TABLE ${name}_two (id UUID REFERENCES nowhere (id));\n`;

/** Leaves migration `file` dirty in `dsn`, through the CockroachDB path forced on PostgreSQL. */
async function leaveDirty(dsn: string, dir: string, file: string): Promise<void> {
  writeFileSync(path.join(dir, file), broken(file.replace(/\.sql$/, "").replace(/^\d+_/, "")));
  const up = await runCli(["up", "--engine", "cockroachdb", "--migrations-dir", dir], { DATABASE_URL: dsn });
  assert.notEqual(up.code, 0);
  assert.match(up.stderr, /dirty/);
}

async function plantLock(dsn: string, owner: string): Promise<void> {
  await pg.query(
    databaseOf(dsn),
    `INSERT INTO schema_migrations_lock (name, owner, lease_expires_at) VALUES ($1, $2, now() + INTERVAL '1 hour')`,
    [LOCK_NAME, owner],
  );
}

describe("audit rows for operator actions", () => {
  it("resolve --applied, resolve --rolled-back and unlock --force each leave one audit row naming the action", async () => {
    const dsn = await pg.createDatabase();
    const env = { DATABASE_URL: dsn };
    const dir = migrationsDir();
    assert.equal((await runCli(["up", "--migrations-dir", dir], env)).code, 0);
    const audit = () =>
      pg.query<{
        action: string;
        actor_type: string;
        actor_id: string;
        resource_type: string;
        resource_id: string;
        changes: object;
      }>(
        databaseOf(dsn),
        `SELECT action, actor_type, actor_id, resource_type, resource_id, changes FROM audit_logs
          WHERE action NOT IN ('schema.migrate', 'seed.create', 'seed.update') ORDER BY created_at`,
      );
    await leaveDirty(dsn, dir, "0900_first.sql");
    const applied = await runCli(["resolve", "900", "--applied", "--migrations-dir", dir], env);
    assert.equal(applied.code, 0, applied.stderr);
    await leaveDirty(dsn, dir, "0901_second.sql");
    const rolledBack = await runCli(["resolve", "901", "--rolled-back", "--migrations-dir", dir], env);
    assert.equal(rolledBack.code, 0, rolledBack.stderr);
    await plantLock(dsn, "gone:4242:abcd");
    assert.equal((await runCli(["unlock", "--force", "--dry-run"], env)).code, 0);
    const unlocked = await runCli(["unlock", "--force"], env);
    assert.equal(unlocked.code, 0, unlocked.stderr);
    const rows = await audit();
    assert.deepEqual(
      rows.map((r) => [r.action, r.actor_type, r.resource_type, r.resource_id]),
      [
        ["schema.resolve", "system", "migration", "0900_first.sql"],
        ["schema.resolve", "system", "migration", "0901_second.sql"],
        ["schema.unlock", "system", "migration_lock", "gone:4242:abcd"],
      ],
    );
    assert.deepEqual(rows[0].changes, { version: 900, file: "0900_first.sql", outcome: "applied" });
    assert.deepEqual(rows[1].changes, { version: 901, file: "0901_second.sql", outcome: "rolled-back" });
    assert.deepEqual(rows[2].changes, { holder: "gone:4242:abcd", command: null });
    assert.ok(rows.every((r) => r.actor_id.length > 0));
  });

  it("on someone else's schema (no audit_logs) the same actions succeed and write no audit", async () => {
    const dsn = await pg.createDatabase();
    const env = { DATABASE_URL: dsn };
    const dir = migrationsDir({ "0001_jobs.sql": "CREATE TABLE jobs (id BIGSERIAL PRIMARY KEY);\n" }, false);
    assert.equal((await runCli(["up", "--migrations-dir", dir], env)).code, 0);
    await leaveDirty(dsn, dir, "0002_broken.sql");
    const resolved = await runCli(["resolve", "2", "--applied", "--migrations-dir", dir], env);
    assert.equal(resolved.code, 0, resolved.stderr);
    await plantLock(dsn, "gone:4242:abcd");
    const unlocked = await runCli(["unlock", "--force"], env);
    assert.equal(unlocked.code, 0, unlocked.stderr);
    const tables = await pg.query(databaseOf(dsn), `SELECT 1 FROM pg_tables WHERE tablename = 'audit_logs'`);
    assert.equal(tables.length, 0);
  });
});
