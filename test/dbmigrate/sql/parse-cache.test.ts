/**
 * Parse once: a text is parsed (or, CockroachDB-only, split) once per process and once per
 * content across runs (the disk cache, keyed by checksum); the cache is never a reason to fail.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { loadMigrationFolder } from "../../../dbmigrate/migrations";
import {
  defaultParseCacheDir,
  PARSE_CACHE_FORMAT,
  ParseCache,
  sharedParseCache,
} from "../../../dbmigrate/sql/parse-cache";
import { parseSql } from "../../../dbmigrate/sql/parse";

const scratch = mkdtempSync(path.join(os.tmpdir(), "dbmigrate-parse-cache-test-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A text no earlier run can have cached. */
function freshSql(): string {
  return `-- ${randomUUID()}\nCREATE TABLE IF NOT EXISTS t (id int);\nCREATE INDEX CONCURRENTLY IF NOT EXISTS t_idx ON t (id);\n`;
}

describe("the parse cache", () => {
  it("parses a text once, then serves a later run's cache object from disk with the same result", async () => {
    const dir = path.join(scratch, "a");
    const text = freshSql();
    const first = new ParseCache(dir);
    const parsed = await first.parse(text, "x.sql");
    await first.parse(text, "y.sql");
    assert.deepEqual(first.stats, { parsed: 1, fromMemory: 1, fromDisk: 0 });

    const later = new ParseCache(dir);
    const cached = await later.parse(text, "x.sql");
    assert.deepEqual(later.stats, { parsed: 0, fromMemory: 0, fromDisk: 1 });
    assert.deepEqual(cached.statements, parsed.statements);
    assert.deepEqual(cached.comments, parsed.comments);
    assert.equal(cached.runsOutsideTransaction, true);
    assert.deepEqual(
      cached.source.atByte(cached.statements[1].bytes.from),
      parsed.source.atByte(parsed.statements[1].bytes.from),
    );
    assert.deepEqual(cached.statements, (await parseSql(text, "x.sql")).statements);
  });

  it("parses again when an entry is corrupt, and works when the folder cannot be written", async () => {
    const dir = path.join(scratch, "b");
    const text = freshSql();
    await new ParseCache(dir).parse(text, "x.sql");
    for (const sub of readdirSync(dir)) {
      for (const entry of readdirSync(path.join(dir, sub))) writeFileSync(path.join(dir, sub, entry), "{ half");
    }
    const again = new ParseCache(dir);
    assert.equal((await again.parse(text, "x.sql")).statements.length, 2);
    assert.equal(again.stats.parsed, 1);

    // A file where the folder should be: mkdir fails (ENOTDIR) even for root.
    const blocked = path.join(scratch, "blocked");
    writeFileSync(blocked, "");
    const unwritable = new ParseCache(path.join(blocked, "cache"));
    assert.equal((await unwritable.parse(freshSql(), "x.sql")).statements.length, 2);
    assert.equal(unwritable.stats.parsed, 1);
  });

  it("never serves an entry whose statements are not the text's (the SQL that would run)", async () => {
    const dir = path.join(scratch, "tampered");
    const text = freshSql();
    await new ParseCache(dir).parse(text, "x.sql");
    for (const sub of readdirSync(dir)) {
      for (const name of readdirSync(path.join(dir, sub))) {
        const entry = path.join(dir, sub, name);
        const body = JSON.parse(readFileSync(entry, "utf8")) as { statements: { sql: string }[] };
        body.statements[0].sql = "DROP TABLE customers";
        writeFileSync(entry, JSON.stringify(body));
      }
    }
    const again = new ParseCache(dir);
    const parsed = await again.parse(text, "x.sql");
    assert.equal(parsed.statements[0].sql, "CREATE TABLE IF NOT EXISTS t (id int)");
    assert.deepEqual(again.stats, { parsed: 1, fromMemory: 0, fromDisk: 0 });
  });

  it("keeps a CockroachDB-only file's split too, apart from a parse of the same text", async () => {
    const dir = path.join(scratch, "split");
    const text = `-- dbmigrate:requires cockroachdb\n-- ${randomUUID()}\nCREATE INDEX i ON t (a) USING HASH;\nALTER TABLE t CONFIGURE ZONE USING num_replicas = 5;\n`;
    const first = new ParseCache(dir);
    const split = await first.split(text, "x.sql");
    assert.deepEqual(
      split.statements.map((s) => s.sql),
      ["CREATE INDEX i ON t (a) USING HASH", "ALTER TABLE t CONFIGURE ZONE USING num_replicas = 5"],
    );
    // PostgreSQL's grammar refuses the text: the split's entry never answers for a parse.
    await assert.rejects(first.parse(text, "x.sql"), /x\.sql does not parse/);

    const later = new ParseCache(dir);
    const cached = await later.split(text, "x.sql");
    assert.deepEqual(later.stats, { parsed: 0, fromMemory: 0, fromDisk: 1 });
    assert.deepEqual(cached.statements, split.statements);
    assert.deepEqual(cached.comments, split.comments);
  });

  it("is keyed to the installed parser's version", () => {
    const installed = (require("libpg-query/package.json") as { version: string }).version;
    assert.ok(PARSE_CACHE_FORMAT.startsWith(`libpg-query-${installed}.`), PARSE_CACHE_FORMAT);
  });

  it("keeps no syntax error: each caller gets its own file's name", async () => {
    const cache = new ParseCache(false);
    await assert.rejects(cache.parse("SELECT FROM WHERE;\n", "one.sql"), /one\.sql does not parse/);
    await assert.rejects(cache.parse("SELECT FROM WHERE;\n", "two.sql"), /two\.sql does not parse/);
  });

  it("lives under $XDG_CACHE_HOME, else ~/.cache", () => {
    assert.equal(defaultParseCacheDir({ XDG_CACHE_HOME: "/x/cache" }), path.join("/x/cache", "dbmigrate", "parse"));
    assert.equal(defaultParseCacheDir({}), path.join(os.homedir(), ".cache", "dbmigrate", "parse"));
    assert.equal(
      defaultParseCacheDir({ XDG_CACHE_HOME: "relative" }),
      path.join(os.homedir(), ".cache", "dbmigrate", "parse"),
    );
  });

  it("parses each file of a folder once per command, and not at all on the next run", async () => {
    const dir = path.join(scratch, "folder");
    mkdirSync(dir);
    for (const name of ["0001_a.sql", "0002_b.sql", "0003_c.sql"]) writeFileSync(path.join(dir, name), freshSql());
    const stats = sharedParseCache().stats;
    const before = { ...stats };
    await loadMigrationFolder(dir);
    assert.equal(stats.parsed - before.parsed, 3, "one parse per file");
    // A new run: a new cache object on the same folder reads each file's parse from disk.
    const nextRun = new ParseCache(sharedParseCache().dir);
    for (const name of ["0001_a.sql", "0002_b.sql", "0003_c.sql"]) {
      await nextRun.parse(readFileSync(path.join(dir, name), "utf8"), name);
    }
    assert.deepEqual(nextRun.stats, { parsed: 0, fromMemory: 0, fromDisk: 3 });
  });
});
