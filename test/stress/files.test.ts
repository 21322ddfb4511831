/**
 * Files are bytes: a migration must be valid UTF-8 (refused with the byte offset), the checksum
 * covers the normalised text and nothing more, a renamed applied file is drift, a FIFO named like
 * a migration never hangs a command, a full disk is one honest line, and `build-complete` then
 * `apply-complete` agree on every file shape. Real processes, a real PostgreSQL.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { renameSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { checksumOf, loadMigrations } from "../../dbmigrate/migrations";
import { runCli, type CliRun } from "../support/cli";
import { startPostgres, type TestPostgres } from "../support/postgres";
import { migrationsDir, tempDir } from "../support/temp";

let pg: TestPostgres;
before(async () => {
  pg = await startPostgres();
});
after(() => pg?.stop());

/** The run's `dbmigrate:` lines: a failure is exactly one. */
function failureLine(run: CliRun): string {
  const lines = run.stderr.split("\n").filter((l) => l.startsWith("dbmigrate:"));
  assert.equal(lines.length, 1, run.stderr);
  return lines[0];
}

describe("files are bytes", () => {
  it("a migration that is not valid UTF-8 is refused before any database I/O, naming the byte offset", async () => {
    const dir = migrationsDir();
    // "SELECT 'caf" + Latin-1 é (0xE9) + "';": byte 11 starts an invalid sequence.
    writeFileSync(
      path.join(dir, "0900_latin1.sql"),
      Buffer.concat([Buffer.from("SELECT 'caf"), Buffer.from([0xe9]), Buffer.from("';\n")]),
    );
    const dsn = await pg.createDatabase();
    for (const command of ["status", "up", "verify"]) {
      const run = await runCli([command, "--migrations-dir", dir], { DATABASE_URL: dsn });
      assert.equal(run.code, 2, run.stderr);
      assert.match(
        failureLine(run),
        /^dbmigrate: '0900_latin1\.sql' is not valid UTF-8: bad byte sequence at byte offset 11 \(e9 27 3b 0a\) \(.*0900_latin1\.sql\)\. Save the file as UTF-8/,
      );
    }
    const tables = await pg.query(dsn.split("/").at(-1)!, `SELECT 1 FROM pg_tables WHERE schemaname = 'public'`);
    assert.equal(tables.length, 0, "nothing was applied");
  });

  it("the checksum covers the normalised text: a BOM and CRLF are normalised away, a changed byte is not", () => {
    const text = "CREATE TABLE t (id INT8 PRIMARY KEY);\n-- note\n";
    assert.equal(checksumOf(`\uFEFF${text.replace(/\n/g, "\r\n")}`), checksumOf(text));
    assert.notEqual(checksumOf(text.replace("note", "Note")), checksumOf(text));
    assert.notEqual(checksumOf(text.replace("\n-- note", " \n-- note")), checksumOf(text), "trailing space counts");
    assert.notEqual(checksumOf(text.trimEnd()), checksumOf(text), "the final newline counts");
  });

  it("a renamed applied migration is drift: verify fails naming both names, up refuses", async () => {
    const dir = migrationsDir({ "0900_first_name.sql": "CREATE TABLE renamed_t (id INT8 PRIMARY KEY);\n" });
    const env = { DATABASE_URL: await pg.createDatabase() };
    assert.equal((await runCli(["up", "--migrations-dir", dir], env)).code, 0);
    renameSync(path.join(dir, "0900_first_name.sql"), path.join(dir, "0900_second_name.sql"));
    const verify = await runCli(["verify", "--migrations-dir", dir], env);
    assert.equal(verify.code, 1, verify.stderr);
    assert.match(
      verify.stdout,
      /problem: 0900_first_name\.sql was renamed to 0900_second_name\.sql after it was applied/,
    );
    const up = await runCli(["up", "--migrations-dir", dir], env);
    assert.equal(up.code, 1);
    assert.match(failureLine(up), /0900_first_name\.sql was renamed to 0900_second_name\.sql/);
  });

  it("a FIFO named like a migration is one line, and status does not hang", async () => {
    const dir = migrationsDir();
    execFileSync("mkfifo", [path.join(dir, "0900_pipe.sql")]);
    const run = await runCli(["status", "--migrations-dir", dir], { DATABASE_URL: await pg.createDatabase() });
    assert.equal(run.code, 2, run.stderr);
    assert.match(
      failureLine(run),
      /^dbmigrate: '0900_pipe\.sql' is a FIFO \(named pipe\), not a regular file: dbmigrate reads only files/,
    );
  });

  it("a full disk (ENOSPC) is one honest line naming the file", async () => {
    const run = await runCli(["build-complete", "--complete-schema", "/dev/full"]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(
      failureLine(run),
      /^dbmigrate: cannot write the file: no space left on the device \(\/dev\/full\)\. Free space on that device/,
    );
  });

  it("build-complete then apply-complete agree on every file shape (no final newline, CRLF, BOM, trailing comments)", async () => {
    const dir = migrationsDir({
      "0900_no_final_newline.sql": "CREATE TABLE shape_a (id INT8 PRIMARY KEY);",
      "0901_crlf.sql": "CREATE TABLE shape_b (id INT8 PRIMARY KEY);\r\nCREATE TABLE shape_c (id INT8 PRIMARY KEY);\r\n",
      "0902_bom.sql": "\uFEFFCREATE TABLE shape_d (id INT8 PRIMARY KEY);\n",
      "0903_trailing.sql": "CREATE TABLE shape_e (id INT8 PRIMARY KEY);\n-- a trailing comment\n\n\n",
      "0904_comment_no_newline.sql": "CREATE TABLE shape_f (id INT8 PRIMARY KEY); -- note",
    });
    const complete = path.join(tempDir(), "complete.sql");
    const built = await runCli(["build-complete", "--migrations-dir", dir, "--complete-schema", complete]);
    assert.equal(built.code, 0, built.stderr);
    const check = await runCli(["build-complete", "--check", "--migrations-dir", dir, "--complete-schema", complete]);
    assert.equal(check.code, 0, check.stdout);
    const env = { DATABASE_URL: await pg.createDatabase() };
    const applied = await runCli(["apply-complete", "--migrations-dir", dir, "--complete-schema", complete], env);
    assert.equal(applied.code, 0, applied.stderr);
    const verify = await runCli(["verify", "--migrations-dir", dir], env);
    assert.equal(verify.code, 0, verify.stdout);
    const up = await runCli(["up", "--migrations-dir", dir, "--json"], env);
    assert.equal(up.code, 0, up.stderr);
    assert.deepEqual((JSON.parse(up.stdout) as { applied: unknown[] }).applied, []);
    assert.equal((await loadMigrations(dir)).length, (await loadMigrations("migrations")).length + 5);
  });
});
