/**
 * The corpus: migrations written in the shapes real projects use (test/corpus/migrations: an enum
 * and a domain, long COMMENT ON texts, a long documented PL/pgSQL function with its trigger, DO
 * blocks with a backfill, a migration that sets search_path, an enum value used in its own file
 * and CREATE INDEX CONCURRENTLY), plus a 3,000-statement file generated here, under a DSN whose
 * search_path names a schema the first migration creates. Each is applied by dbmigrate and, one
 * file at a time, by `psql -f` on separate databases of a real PostgreSQL; the schemas (and row
 * counts) are compared from pg_catalog, and a second `up` is a no-op.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, readdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { createConnect } from "../../dbmigrate/connection";
import { Migrator } from "../../dbmigrate/runner";
import { withDb } from "../support/engine";
import { startPostgres, type TestPostgres } from "../support/postgres";
import { tempDir } from "../support/temp";
import { schemaLines } from "./schema-lines";

/** The psql client teams apply files with: `$PSQL`, else `psql` on PATH (Debian's postgresql-client). */
const PSQL = process.env.PSQL || "psql";
/** `options=-c search_path=app,public`, as a DSN carries it. */
const APP_FIRST = "options=-c%20search_path%3Dapp%2Cpublic";
/** Statements in the generated file. */
const GENERATED_STATEMENTS = 3000;

let pg: TestPostgres;
before(async () => {
  pg = await startPostgres();
});
after(() => pg?.stop());

/** A 3,000-statement file: a log table, then mostly inserts, with a small table every 10th statement. */
function generatedFile(): string {
  const lines = ["CREATE TABLE gen_log (k INT PRIMARY KEY, label TEXT NOT NULL);"];
  for (let k = 1; k < GENERATED_STATEMENTS; k++) {
    lines.push(
      k % 10 === 0
        ? `CREATE TABLE gen_t_${k} (id BIGINT PRIMARY KEY, created_at TIMESTAMPTZ NOT NULL DEFAULT now());`
        : `INSERT INTO gen_log (k, label) VALUES (${k}, 'row ${k}');`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** The corpus folder with the generated file added. */
function corpusFolder(): string {
  const dir = tempDir("agoat-corpus-");
  cpSync(path.join(__dirname, "migrations"), dir, { recursive: true });
  writeFileSync(path.join(dir, "0007_generated_3000_statements.sql"), generatedFile());
  return dir;
}

function psqlFile(dsn: string, file: string): void {
  const run = spawnSync(PSQL, ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", file, dsn], {
    encoding: "utf8",
    timeout: 300_000,
  });
  if (run.error) assert.fail(`cannot run ${PSQL} (${run.error.message}): install postgresql-client, or set PSQL`);
  assert.equal(run.status, 0, `psql -f ${path.basename(file)}: ${run.stderr}`);
}

describe("corpus: dbmigrate and psql -f build the same schema", () => {
  it("applies every corpus file as psql does, file by file; the second up is a no-op", async () => {
    const dir = corpusFolder();
    const files = readdirSync(dir)
      .filter((f) => f.endsWith(".sql"))
      .sort();
    const viaDbmigrate = await pg.createDatabase(APP_FIRST);
    const viaPsql = await pg.createDatabase(APP_FIRST);
    const migrator = () =>
      createConnect({ dsn: viaDbmigrate }).then((connect) => new Migrator({ connect, migrationsDir: dir }));
    const result = await (await migrator()).up();
    assert.deepEqual(
      result.applied.map((m) => [m.file, m.mode]),
      files.map((f) => [f, f.startsWith("0006_") ? "statements" : "transaction"]),
    );
    for (const file of files) psqlFile(viaPsql, path.join(dir, file));
    const ours = await withDb(viaDbmigrate, schemaLines);
    const theirs = await withDb(viaPsql, schemaLines);
    for (const kind of Object.keys(theirs)) assert.deepEqual(ours[kind], theirs[kind], `${kind} differ`);
    // What the comparison covers, so it cannot pass on two empty databases.
    assert.ok(ours.relations.length > GENERATED_STATEMENTS / 10, "the generated tables are there");
    assert.ok(ours.functions.some((f) => f.includes("record_order_status_change") && f.length > 2000));
    assert.ok(ours.indexes.some((i) => /orders_status_idx .* valid=true/.test(i)));
    assert.ok(ours.types.some((t) => t.includes("pending,paid,shipped,refunded,cancelled")));
    assert.ok(
      ours.relations.includes("app.after_search_path_reset r"),
      "0005's SET search_path did not move 0006's table",
    );
    assert.ok(
      ours.rows.includes(`app.gen_log ${GENERATED_STATEMENTS - 1 - Math.floor((GENERATED_STATEMENTS - 1) / 10)}`),
    );
    const second = await (await migrator()).up();
    assert.deepEqual(second.applied, []);
    const status = await (await migrator()).status();
    assert.equal(status.pending, 0);
    assert.equal(status.historySchema, "public", "one history, where the first up put it");
    assert.deepEqual(await withDb(viaDbmigrate, schemaLines), ours, "the second up changed nothing");
  });
});
