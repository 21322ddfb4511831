/**
 * A run whose every file comes from the parse cache loads no libpg-query (neither its JavaScript
 * nor, so, its WebAssembly): a no-op `status` or `up` reads the cached statements and checks them
 * without the parser. Seen from outside, in fresh processes, with a real cache folder.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { runCli } from "../../support/cli";
import { libpgQueryModules, moduleProbe } from "../../support/module-probe";
import { startPostgres, type TestPostgres } from "../../support/postgres";
import { migrationsDir, tempDir } from "../../support/temp";

/** A CockroachDB-only migration: split by libpg-query's scanner, never parsed. */
const HASH_INDEX = `-- dbmigrate:requires cockroachdb
CREATE INDEX users_hash ON users (id) USING HASH WITH (bucket_count = 8);
ALTER TABLE users CONFIGURE ZONE USING num_replicas = 5;
`;

/** What a fresh process that loads `dir` reports: its migrations, the cache's counts and the parser's files it loaded. */
function loadInFreshProcess(dir: string, cacheHome: string) {
  const probe = moduleProbe();
  const script = `const { loadMigrationFolder } = require("./dbmigrate/migrations.ts");
const { sharedParseCache } = require("./dbmigrate/sql/parse-cache.ts");
loadMigrationFolder(${JSON.stringify(dir)}).then((folder) => {
  const migrations = folder.migrations.map((m) => [m.file, m.checksum, m.statements.map((s) => s.sql), m.requires]);
  console.log(JSON.stringify({ migrations, stats: sharedParseCache().stats }));
});`;
  const run = spawnSync(process.execPath, ["--require", "tsx/cjs", "-e", script], {
    encoding: "utf8",
    env: { ...process.env, XDG_CACHE_HOME: cacheHome, ...probe.env },
  });
  assert.equal(run.status, 0, run.stderr);
  const out = JSON.parse(run.stdout) as { migrations: unknown[]; stats: { parsed: number; fromDisk: number } };
  return { ...out, parser: libpgQueryModules(probe.loaded()) };
}

describe("a folder served by the parse cache", () => {
  const folders: Record<string, () => string> = {
    "the project's migrations": () => "migrations",
    "with a CockroachDB-only file": () => migrationsDir({ "0007_users_hash.sql": HASH_INDEX }),
  };
  for (const [name, folder] of Object.entries(folders)) {
    it(`loads no libpg-query in a later process: ${name}`, () => {
      const dir = folder();
      const cacheHome = tempDir("agoat-xdg-cache-");
      const cold = loadInFreshProcess(dir, cacheHome);
      assert.equal(cold.stats.parsed, cold.migrations.length, "each file read once");
      // The probe sees the parser when it is loaded: an empty list below means something.
      assert.notDeepEqual(cold.parser, []);

      const warm = loadInFreshProcess(dir, cacheHome);
      assert.deepEqual(warm.migrations, cold.migrations);
      assert.equal(warm.stats.parsed, 0);
      assert.equal(warm.stats.fromDisk, cold.migrations.length, "each file from the disk cache");
      assert.deepEqual(warm.parser, []);
    });
  }
});

describe("the dbmigrate CLI on an up-to-date database, with a warm parse cache", () => {
  let pg: TestPostgres;
  before(async () => {
    pg = await startPostgres();
  });
  after(async () => {
    await pg?.stop();
  });

  it("status and a no-op up load no libpg-query", async () => {
    const probe = moduleProbe();
    const env = { DATABASE_URL: await pg.createDatabase(), XDG_CACHE_HOME: tempDir("agoat-xdg-cache-"), ...probe.env };
    const up = await runCli(["up", "--site-hostname", "www.example.com"], env);
    assert.equal(up.code, 0, up.stderr);
    // The compiled CLI ran (bin/dbmigrate.js builds it when stale), and the first run parsed.
    assert.ok(probe.loaded().includes(path.resolve("dist", "dbmigrate.cjs")), "ran dist/dbmigrate.cjs");
    assert.notDeepEqual(libpgQueryModules(probe.loaded()), []);

    probe.reset();
    const status = await runCli(["status"], env);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /^pending: 0$/m);
    assert.deepEqual(libpgQueryModules(probe.loaded()), []);

    probe.reset();
    const again = await runCli(["up", "--site-hostname", "www.example.com"], env);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /^nothing to apply/m);
    assert.deepEqual(libpgQueryModules(probe.loaded()), []);
  });
});
