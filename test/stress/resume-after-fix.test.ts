/**
 * A resume that survives a fix, on the statement-by-statement path (CockroachDB's, forced on a
 * real PostgreSQL): a migration half-applied by a definite failure, whose file is then fixed, is
 * resumed when the statements that took effect are unchanged, and refused naming the first of
 * them that changed otherwise; `resolve --applied` records the file's current checksum, so `verify` passes after it.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connectTo, withDb } from "../support/engine";
import { AUDIT_TABLE, madeUp, table } from "../support/made-up";
import { startPostgres, type TestPostgres } from "../support/postgres";

let pg: TestPostgres;
before(async () => {
  pg = await startPostgres();
});
after(() => pg?.stop());

/** Statement 2 refers to a table nobody made: a definite failure (42P01) after statement 1 took effect. */
const BROKEN = `${table("fix_one")}\nCREATE TABLE fix_two (id UUID REFERENCES nowhere (id));\n${table("fix_three")}\n`;
const FIXED = BROKEN.replace("CREATE TABLE fix_two (id UUID REFERENCES nowhere (id));", table("fix_two"));

async function halfApplied(): Promise<{ dsn: string; files: Record<string, string> }> {
  const dsn = await pg.createDatabase();
  const files: Record<string, string> = { "0001_audit.sql": AUDIT_TABLE, "0002_fix.sql": BROKEN };
  const migrator = madeUp(await connectTo(dsn), files, { engine: "cockroachdb" });
  await assert.rejects(migrator.up(), (error: Error & { describe(): string }) => {
    assert.match(
      error.describe(),
      /dirty at statement 2 of 3: fix the cause.*then `dbmigrate up` resumes at statement 2/,
    );
    return true;
  });
  return { dsn, files };
}

const row = (dsn: string) =>
  withDb(
    dsn,
    async (c) =>
      (
        await c.query<{ dirty: boolean; checksum: string }>(
          `SELECT dirty, checksum FROM schema_migrations WHERE version = 2`,
        )
      ).rows[0],
  );

describe("resume after a fix (statement-by-statement path)", () => {
  it("a fix to the statement that failed is resumed at that statement, and the history records the fixed file", async () => {
    const { dsn, files } = await halfApplied();
    files["0002_fix.sql"] = FIXED;
    const migrator = madeUp(await connectTo(dsn), files, { engine: "cockroachdb" });
    const result = await migrator.up();
    assert.deepEqual(
      result.applied.map((m) => [m.file, m.resumedAt]),
      [["0002_fix.sql", 2]],
    );
    const [fixed] = (await migrator.loadMigrations()).filter((m) => m.version === 2);
    assert.deepEqual(await row(dsn), { dirty: false, checksum: fixed.checksum });
    assert.deepEqual(await migrator.verify(), []);
  });

  it("a change to a statement that already took effect is refused, naming it; resolve --applied records the file as it is", async () => {
    const { dsn, files } = await halfApplied();
    files["0002_fix.sql"] = FIXED.replace(table("fix_one"), "CREATE TABLE fix_one (id INT8 PRIMARY KEY);");
    const migrator = madeUp(await connectTo(dsn), files, { engine: "cockroachdb" });
    const expected =
      /0002_fix\.sql is dirty after 1 of 3 statements, and statement 1 \(line 1 now\), which already took effect, has changed since: restore statements 1\.\.1 as they were applied/;
    await assert.rejects(migrator.up(), (error: Error) => {
      assert.match(error.message, expected);
      return true;
    });
    // A person checks, finishes the migration by hand, and says so.
    await withDb(dsn, (c) => c.query(`${table("fix_two")} ${table("fix_three")}`));
    // Pointed at a folder without the file, it refuses rather than record the old checksum.
    const elsewhere = madeUp(await connectTo(dsn), { "0001_other.sql": "SELECT 1;\n" }, { engine: "cockroachdb" });
    await assert.rejects(elsewhere.resolve(2, "applied"), /migration 0002_fix\.sql is not in /);
    assert.equal((await row(dsn)).dirty, true, "the refused resolve wrote nothing");
    const dry = await migrator.resolve(2, "applied", { dryRun: true });
    assert.equal(dry.dryRun, true);
    assert.equal((await row(dsn)).dirty, true, "a dry run writes nothing");
    await migrator.resolve(2, "applied");
    const [current] = (await migrator.loadMigrations()).filter((m) => m.version === 2);
    assert.deepEqual(await row(dsn), { dirty: false, checksum: current.checksum });
    assert.deepEqual(await migrator.verify(), []);
  });
});
