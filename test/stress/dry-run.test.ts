/**
 * A dry run writes nothing: every command that writes and offers `--dry-run` (the catalog's list)
 * is run through the real CLI in a state where it would write, with `--dry-run`, and the database
 * (every row of every table of every non-system schema, with a catalog snapshot) and the files
 * (the migrations folder and the complete schema file) are compared before and after.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { cpSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { LOCK_NAME } from "../../dbmigrate/lock";
import { SETTINGS } from "../../dbmigrate/settings/catalog";
import { runCli, type CliRun } from "../support/cli";
import { databaseOf, startPostgres, type TestPostgres } from "../support/postgres";
import { tempDir } from "../support/temp";

let pg: TestPostgres;
before(async () => {
  pg = await startPostgres();
});
after(() => pg?.stop());

const USER_SCHEMAS = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'`;

/** The catalog of every non-system schema and every row of its tables and sequences, as text. */
async function databaseFingerprint(db: string): Promise<Record<string, string[]>> {
  const lines = async (text: string) =>
    (await pg.query<{ line: string }>(db, text)).map((r) => r.line).sort((a, b) => a.localeCompare(b));
  const catalog = {
    schemas: await lines(`SELECT n.nspname AS line FROM pg_namespace n WHERE ${USER_SCHEMAS}`),
    relations: await lines(
      `SELECT n.nspname || '.' || c.relname || ' ' || c.relkind::text || ' rls=' || c.relrowsecurity AS line
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${USER_SCHEMAS}`,
    ),
    columns: await lines(
      `SELECT n.nspname || '.' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
              || ' notnull=' || a.attnotnull || ' default=' || COALESCE(pg_get_expr(d.adbin, d.adrelid), '') AS line
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attnum > 0 AND NOT a.attisdropped AND ${USER_SCHEMAS}`,
    ),
    constraints: await lines(
      `SELECT n.nspname || '.' || co.conname || ' ' || pg_get_constraintdef(co.oid) AS line
         FROM pg_constraint co JOIN pg_namespace n ON n.oid = co.connamespace WHERE ${USER_SCHEMAS}`,
    ),
    indexes: await lines(
      `SELECT indexdef AS line FROM pg_indexes WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`,
    ),
    types: await lines(
      `SELECT n.nspname || '.' || t.typname || ' ' || t.typtype::text AS line
         FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE ${USER_SCHEMAS}`,
    ),
    functions: await lines(
      `SELECT n.nspname || '.' || p.proname || ' ' || md5(p.prosrc) AS line
         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE ${USER_SCHEMAS}`,
    ),
    policies: await lines(
      `SELECT schemaname || '.' || tablename || ' ' || policyname || ' ' || cmd || ' ' || COALESCE(qual, '') AS line
         FROM pg_policies`,
    ),
    triggers: await lines(
      `SELECT tgrelid::regclass::text || ' ' || tgname AS line FROM pg_trigger WHERE NOT tgisinternal`,
    ),
  };
  const relations = await pg.query<{ name: string; kind: string }>(
    db,
    `SELECT format('%I.%I', n.nspname, c.relname) AS name, c.relkind::text AS kind
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p', 'S') AND ${USER_SCHEMAS}`,
  );
  const rows: string[] = [];
  for (const { name, kind } of relations) {
    const query =
      kind === "S"
        ? `SELECT last_value::text || ' ' || is_called AS line FROM ${name}`
        : `SELECT COALESCE(json_agg(t::text ORDER BY t::text), '[]')::text AS line FROM ${name} t`;
    rows.push(`${name}: ${(await pg.query<{ line: string }>(db, query))[0].line}`);
  }
  return { ...catalog, rows: rows.sort() };
}

/** Every file under `dir` with the hash of its bytes. */
function filesFingerprint(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((name) => statSync(path.join(dir, name)).isFile())
    .map(
      (name) =>
        `${name} ${createHash("sha256")
          .update(readFileSync(path.join(dir, name)))
          .digest("hex")}`,
    )
    .sort();
}

/** A scratch copy of the migrations folder (with `extra` files) and of the complete schema file. */
function project(extra: Record<string, string> = {}): { dir: string; migrations: string; completeSchema: string } {
  const dir = tempDir("agoat-dry-run-");
  const migrations = path.join(dir, "migrations");
  const completeSchema = path.join(dir, "complete-schema.sql");
  cpSync("migrations", migrations, { recursive: true });
  cpSync("schema/complete-schema.sql", completeSchema);
  for (const [name, text] of Object.entries(extra)) writeFileSync(path.join(migrations, name), text);
  return { dir, migrations, completeSchema };
}

/** The table a later migration adds: pending on a migrated database. */
const LATER = { "0900_later.sql": "CREATE TABLE dry_run_later (id INT8 PRIMARY KEY);\n" };
/** Statement 2 refers to a table nobody made: on the statement-by-statement path, statement 1 stays (dirty). */
const BROKEN = {
  "0900_broken.sql":
    "CREATE TABLE dry_run_one (id INT8 PRIMARY KEY);\nCREATE TABLE dry_run_two (id UUID REFERENCES nowhere (id));\n",
};

/**
 * Runs `args` with --dry-run on `dsn` and `files`, asserting exit 0 and that nothing changed; then,
 * unless `real` is null, runs `real` (default: `args` without --dry-run) and asserts that it does
 * change something, so that the comparison is known to see the command's writes.
 */
async function assertWritesNothing(
  dsn: string,
  files: { dir: string },
  args: string[],
  real: string[] | null = args,
): Promise<CliRun> {
  const db = databaseOf(dsn);
  const fingerprint = async () => ({ database: await databaseFingerprint(db), files: filesFingerprint(files.dir) });
  const before = await fingerprint();
  const run = await runCli([...args, "--dry-run"], { DATABASE_URL: dsn });
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(await fingerprint(), before, `${args[0]} --dry-run wrote`);
  if (real) {
    const wrote = await runCli(real, { DATABASE_URL: dsn });
    assert.equal(wrote.code, 0, wrote.stderr);
    assert.notDeepEqual(await fingerprint(), before, `${real[0]} without --dry-run changed nothing the test sees`);
  }
  return run;
}

async function migrated(files: { migrations: string }): Promise<string> {
  const dsn = await pg.createDatabase();
  const up = await runCli(["up", "--migrations-dir", files.migrations], { DATABASE_URL: dsn });
  assert.equal(up.code, 0, up.stderr);
  return dsn;
}

describe("--dry-run writes nothing", () => {
  const tested = new Set<string>();
  const command = (name: string) => {
    tested.add(name);
    return name;
  };

  it("up with a pending migration", async () => {
    const files = project();
    const dsn = await migrated(files);
    writeFileSync(path.join(files.migrations, "0900_later.sql"), LATER["0900_later.sql"]);
    const run = await assertWritesNothing(dsn, files, [command("up"), "--migrations-dir", files.migrations]);
    assert.match(run.stderr + run.stdout, /0900_later\.sql/);
  });

  it("up on a fresh database (every migration and the seed pending)", async () => {
    const files = project();
    await assertWritesNothing(await pg.createDatabase(), files, ["up", "--migrations-dir", files.migrations]);
  });

  it("apply-complete on a fresh database", async () => {
    const files = project();
    const args = [command("apply-complete"), "--migrations-dir", files.migrations];
    await assertWritesNothing(await pg.createDatabase(), files, [...args, "--complete-schema", files.completeSchema]);
  });

  it("resolve --applied and --rolled-back on a dirty migration", async () => {
    const files = project(BROKEN);
    const dsn = await migrated(project());
    const failed = await runCli(["up", "--engine", "cockroachdb", "--migrations-dir", files.migrations], {
      DATABASE_URL: dsn,
    });
    assert.notEqual(failed.code, 0);
    assert.match(failed.stderr, /dirty/);
    const resolve = (outcome: string) => [command("resolve"), "900", outcome, "--migrations-dir", files.migrations];
    await assertWritesNothing(dsn, files, resolve("--rolled-back"), null);
    await assertWritesNothing(dsn, files, resolve("--applied"));
  });

  it("unlock --force with a held lock", async () => {
    const files = project();
    const dsn = await migrated(files);
    await pg.query(
      databaseOf(dsn),
      `INSERT INTO schema_migrations_lock (name, owner, lease_expires_at) VALUES ($1, 'gone:1:abcd', now() + INTERVAL '1 hour')`,
      [LOCK_NAME],
    );
    const run = await assertWritesNothing(dsn, files, [command("unlock"), "--force"]);
    assert.match(run.stdout, /dry run: --force would break it; nothing written/);
  });

  it("teardown on a migrated database", async () => {
    const files = project();
    const dsn = await migrated(files);
    const run = await assertWritesNothing(dsn, files, [command("teardown")], ["teardown", "--force"]);
    assert.match(run.stdout + run.stderr, /customers/);
  });

  it("new in a migrations folder", async () => {
    const files = project();
    const run = await assertWritesNothing(await pg.createDatabase(), files, [
      command("new"),
      "add_things",
      "--migrations-dir",
      files.migrations,
    ]);
    assert.match(run.stdout, /dry run: would write .*0007_add_things\.sql/);
  });

  it("build-complete with a migration the complete schema lacks", async () => {
    const files = project(LATER);
    const args = [command("build-complete"), "--migrations-dir", files.migrations];
    const run = await assertWritesNothing(await pg.createDatabase(), files, [
      ...args,
      "--complete-schema",
      files.completeSchema,
    ]);
    assert.match(run.stdout, /dry run: would write /);
  });

  it("covers every command that takes --dry-run", () => {
    assert.deepEqual([...tested].sort(), [...SETTINGS.dryRun.commands].sort());
  });
});
