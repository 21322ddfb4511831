/** The `dbmigrate` executable: commands, JSON, exit codes, one-line errors, and no password anywhere. */
import assert from "node:assert/strict";
import { loadMigrations } from "../../dbmigrate/migrations";
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, openSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { capturedOutputs, runCli } from "../support/cli";
import { databaseOf, startPostgres, type TestPostgres } from "../support/postgres";
import { migrationsDir } from "../support/temp";

let pg: TestPostgres;
before(async () => {
  pg = await startPostgres();
});
after(async () => {
  await pg?.stop();
});

describe("dbmigrate CLI", () => {
  it("status --json prints the documented object on a fresh database", async () => {
    const dsn = await pg.createDatabase();
    const run = await runCli(["status", "--json"], { DATABASE_URL: dsn });
    assert.equal(run.code, 0, run.stderr);
    const status = JSON.parse(run.stdout);
    assert.deepEqual(Object.keys(status), [
      "engine",
      "serverVersion",
      "activeVersion",
      "historySchema",
      "historyExists",
      "migrations",
      "pending",
      "problems",
      "schema",
      "seed",
      "skipped",
      "lock",
      "drafts",
    ]);
    assert.equal(status.historySchema, "public");
    assert.equal(status.historyExists, false);
    assert.deepEqual(status.skipped, []);
    assert.equal(status.lock, null);
    assert.deepEqual(status.drafts, []);
    assert.equal(status.engine, "postgres");
    assert.equal(status.pending, 6);
    assert.deepEqual(status.seed, {
      customer: false,
      site: false,
      defaultTenant: null,
      changes: [{ what: "create", from: null, to: "customer 'default', site 'default'" }],
    });
    assert.deepEqual(Object.keys(status.migrations[0]), ["version", "name", "file", "checksum", "state", "appliedAt"]);
    assert.deepEqual(
      status.migrations.map((m: { version: number; name: string; state: string; appliedAt: null }) => [
        m.version,
        m.name,
        m.state,
        m.appliedAt,
      ]),
      [
        [1, "complete_schema", "pending", null],
        [2, "tenant_row_level_security", "pending", null],
        [3, "users_email_ascii_whitespace", "pending", null],
        [4, "default_tenant", "pending", null],
        [5, "default_tenant_private", "pending", null],
        [6, "default_tenant_site_may_go", "pending", null],
      ],
    );
  });

  it("up shows progress per migration with its duration, then status shows everything applied and seeded", async () => {
    const dsn = await pg.createDatabase();
    const up = await runCli(["up", "--site-hostname", "www.example.com"], { DATABASE_URL: dsn });
    assert.equal(up.code, 0, up.stderr);
    assert.match(
      up.stderr,
      /^applying 0001_complete_schema.sql \.\.\.\napplied 0001_complete_schema.sql in \d+ ms\napplying 0002_tenant_row_level_security.sql \.\.\.\napplied 0002_tenant_row_level_security.sql in \d+ ms\n/,
    );
    assert.match(
      up.stdout,
      /^applied 0001_complete_schema.sql \(\d+ ms\)\napplied 0002_tenant_row_level_security.sql \(\d+ ms\)\n(applied \S+ \(\d+ ms\)\n)*seed changed: create the default tenant: customer 'default', site 'default'\nseed changed: primary hostname \(none\) -> 'www.example.com'\nschema version \d{4}; default customer [0-9a-f-]{36}, site [0-9a-f-]{36}\n$/,
    );
    const status = await runCli(["status"], { DATABASE_URL: dsn });
    assert.match(status.stdout, /^engine: postgres \(PostgreSQL \d+/);
    assert.match(status.stdout, /0001_complete_schema.sql\s+applied\s+\d{4}-\d\d-\d\dT/);
    assert.match(
      status.stdout,
      /pending: 0\nseed: customer present, site present\nschema: matches the snapshot recorded \d{4}-\d\d-\d\dT\S+\n$/,
    );
    const again = await runCli(["up", "--json", "--site-hostname", "www.example.com"], { DATABASE_URL: dsn });
    assert.equal(again.code, 0);
    assert.deepEqual(JSON.parse(again.stdout).applied, []);
    assert.match(again.stderr, /nothing to apply: schema and seed are up to date/);
  });

  it("up --dry-run lists what would run and changes nothing", async () => {
    const dsn = await pg.createDatabase();
    const run = await runCli(["up", "--dry-run"], { DATABASE_URL: dsn });
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      /^dry run: \d+ migration\(s\) would be applied:\n {2}0001_complete_schema.sql {2}[0-9a-f]{12}\n {2}0002_tenant_row_level_security.sql {2}[0-9a-f]{12}\n( {2}\S+ {2}[0-9a-f]{12}\n)*seed would change: create the default tenant: customer 'default', site 'default'\n$/,
    );
    const tables = await pg.query(
      databaseOf(dsn),
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`,
    );
    assert.deepEqual(tables, []);
  });

  it("verify exits 0 when clean and 1 with the problems when an applied file changed", async () => {
    const dsn = await pg.createDatabase();
    const dir = migrationsDir();
    assert.equal((await runCli(["up", "--migrations-dir", dir], { DATABASE_URL: dsn })).code, 0);
    const clean = await runCli(["verify", "--migrations-dir", dir], { DATABASE_URL: dsn });
    assert.deepEqual(
      [clean.code, clean.stdout],
      [0, "verify: every applied migration matches its file and the schema matches the recorded snapshot\n"],
    );
    writeFileSync(
      path.join(dir, "0001_complete_schema.sql"),
      readFileSync(path.join(dir, "0001_complete_schema.sql"), "utf8") + "\n-- edited\n",
    );
    const dirty = await runCli(["verify", "--migrations-dir", dir], { DATABASE_URL: dsn });
    assert.equal(dirty.code, 1);
    assert.match(
      dirty.stdout,
      /^problem: 0001_complete_schema.sql was changed after it was applied \(applied checksum [0-9a-f]{64}, file now [0-9a-f]{64}\)/,
    );
    const up = await runCli(["up", "--migrations-dir", dir], { DATABASE_URL: dsn });
    assert.equal(up.code, 1);
    assert.match(
      up.stderr,
      /^dbmigrate: 1 problem\(s\) with the migration history: 0001_complete_schema.sql was changed/,
    );
  });

  it("new writes the next-numbered file with a header, and build-complete --check notices it", async () => {
    const dir = migrationsDir();
    const run = await runCli(["new", "add-post-tags", "--migrations-dir", dir]);
    assert.equal(run.code, 0, run.stderr);
    const file = path.join(dir, "0007_add_post_tags.sql");
    assert.equal(run.stdout, `${file}\n`);
    assert.match(readFileSync(file, "utf8"), /^-- 0007_add_post_tags: describe the change here\.\n-- Forward-only/);
    const check = await runCli(["build-complete", "--check"]);
    assert.deepEqual([check.code, check.stdout], [0, "schema/complete-schema.sql is up to date with 6 migration(s)\n"]);
    writeFileSync(file, "CREATE TABLE post_tags (id UUID PRIMARY KEY DEFAULT gen_random_uuid());\n");
    const stale = await runCli(["build-complete", "--check", "--migrations-dir", dir]);
    assert.equal(stale.code, 1);
    assert.match(stale.stdout, /schema\/complete-schema.sql is stale: run `dbmigrate build-complete` and commit it/);
    assert.equal(existsSync(path.join(dir, "0008_add_post_tags.sql")), false);
  });

  it("status exits 1 (a problem found) with a changed or a dirty migration, and says which", async () => {
    const dsn = await pg.createDatabase();
    const dir = migrationsDir();
    assert.equal((await runCli(["up", "--migrations-dir", dir], { DATABASE_URL: dsn })).code, 0);
    const clean = await runCli(["status", "--migrations-dir", dir], { DATABASE_URL: dsn });
    assert.equal(clean.code, 0, clean.stderr);
    const file = path.join(dir, "0002_tenant_row_level_security.sql");
    writeFileSync(file, readFileSync(file, "utf8") + "\n-- edited\n");
    const changed = await runCli(["status", "--migrations-dir", dir], { DATABASE_URL: dsn });
    assert.equal(changed.code, 1);
    assert.match(changed.stderr, /^warning: 0002_tenant_row_level_security.sql was changed after it was applied/m);
    const json = await runCli(["status", "--json", "--migrations-dir", dir], { DATABASE_URL: dsn });
    assert.equal(json.code, 1);
    assert.equal(JSON.parse(json.stdout).problems.length, 1);
    writeFileSync(file, readFileSync(path.join("migrations", "0002_tenant_row_level_security.sql"), "utf8"));
    await pg.query(databaseOf(dsn), "UPDATE schema_migrations SET dirty = true, applied_at = NULL WHERE version = 2");
    const dirty = await runCli(["status", "--migrations-dir", dir], { DATABASE_URL: dsn });
    assert.equal(dirty.code, 1);
    assert.match(dirty.stderr, /^warning: 0002_tenant_row_level_security.sql started at .* and did not finish/m);
  });

  it("a header-only file from `new` is a draft: status lists it, up applies the rest, new counts it", async () => {
    const dsn = await pg.createDatabase();
    const dir = migrationsDir();
    const made = await runCli(["new", "add_tags", "--migrations-dir", dir, "--json"]);
    assert.equal(made.code, 0, made.stderr);
    const next = readdirSync("migrations").filter((f) => f.endsWith(".sql")).length + 1;
    const draft = `${String(next).padStart(4, "0")}_add_tags.sql`;
    const later = `${String(next + 1).padStart(4, "0")}_add_more.sql`;
    assert.deepEqual(JSON.parse(made.stdout), { file: path.join(dir, draft), version: next, name: "add_tags" });
    const status = await runCli(["status", "--migrations-dir", dir], { DATABASE_URL: dsn });
    assert.equal(status.code, 0, status.stderr);
    const line = status.stdout.split("\n").find((l) => l.trim().startsWith(draft)) ?? "";
    assert.match(line, /^\s+\S+\s+draft\s+\(no statement yet: not applied\)$/, status.stdout);
    assert.ok(
      status.stderr.includes(`warning: ${draft} has no statement yet: it is not applied until it has one\n`),
      status.stderr,
    );
    const up = await runCli(["up", "--migrations-dir", dir], { DATABASE_URL: dsn });
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stdout, /applied 0002_tenant_row_level_security.sql/);
    // Said once by the engine as the folder is read (the command used to read the folder again to say it).
    assert.equal(up.stderr.split(`warning: ${draft} has no statement yet`).length - 1, 1, up.stderr);
    const second = await runCli(["new", "add_more", "--migrations-dir", dir]);
    assert.equal(second.stdout, `${path.join(dir, later)}\n`);
    const json = await runCli(["status", "--json", "--migrations-dir", dir], { DATABASE_URL: dsn });
    assert.deepEqual(JSON.parse(json.stdout).drafts, [draft, later]);
  });

  it("--json on erd, build-complete and resolve prints one JSON object", async () => {
    const dsn = await pg.createDatabase();
    assert.equal((await runCli(["up"], { DATABASE_URL: dsn })).code, 0);
    const erd = await runCli(["erd", "--json"], { DATABASE_URL: dsn });
    assert.equal(erd.code, 0, erd.stderr);
    assert.match(JSON.parse(erd.stdout).markdown, /^# Schema\n[\s\S]*erDiagram/);
    const out = path.join(migrationsDir({}, false), "schema.md");
    const written = await runCli(["erd", "--json", "--output", out], { DATABASE_URL: dsn });
    assert.deepEqual(JSON.parse(written.stdout), { file: out, written: true });
    const check = await runCli(["build-complete", "--check", "--json"]);
    assert.deepEqual(JSON.parse(check.stdout), {
      file: "schema/complete-schema.sql",
      migrations: readdirSync("migrations").filter((f) => f.endsWith(".sql")).length,
      upToDate: true,
      written: false,
    });
    await pg.query(databaseOf(dsn), "UPDATE schema_migrations SET dirty = true WHERE version = 2");
    const resolved = await runCli(["resolve", "0002", "--applied", "--json"], { DATABASE_URL: dsn });
    assert.equal(resolved.code, 0, resolved.stderr);
    assert.deepEqual(JSON.parse(resolved.stdout), { version: 2, resolution: "applied" });
  });

  it("erd on a database without the schema exits 1 and leaves the --output file as it was", async () => {
    const dsn = await pg.createDatabase();
    const out = path.join(migrationsDir({}, false), "schema.md");
    writeFileSync(out, "# the committed diagram\n");
    const run = await runCli(["erd", "--output", out], { DATABASE_URL: dsn });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^dbmigrate: the database has none of the schema's tables: nothing to draw/);
    assert.equal(readFileSync(out, "utf8"), "# the committed diagram\n");
  });

  it("up --create-database creates a missing database first, and only up and apply-complete take it", async () => {
    const dsn = pg.url(`created_${process.pid}`);
    const first = await runCli(["up", "--create-database"], { DATABASE_URL: dsn });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, new RegExp(`^created database created_${process.pid}$`, "m"));
    const again = await runCli(["up", "--create-database"], { DATABASE_URL: dsn });
    assert.equal(again.code, 0, again.stderr);
    assert.doesNotMatch(again.stderr, /created database/);
    const status = await runCli(["status", "--create-database"], { DATABASE_URL: dsn });
    assert.equal(status.code, 2);
    assert.match(
      status.stderr,
      /^dbmigrate: --create-database is not an option of `dbmigrate status`\. Run `dbmigrate status --help` for its options$/m,
    );
  });

  it("apply-complete seeds a fresh database and refuses a second time", async () => {
    const dsn = await pg.createDatabase();
    const first = await runCli(["apply-complete", "--json"], { DATABASE_URL: dsn });
    assert.equal(first.code, 0, first.stderr);
    assert.equal(JSON.parse(first.stdout).schemaVersion, (await loadMigrations("migrations")).length);
    const second = await runCli(["apply-complete"], { DATABASE_URL: dsn });
    assert.equal(second.code, 2);
    assert.match(
      second.stderr,
      /^dbmigrate: refusing to apply the complete schema: the database is not empty \(schema public has audit_logs, customers, .*\)\. apply-complete is for a fresh database; use `dbmigrate up` for an existing one\n$/,
    );
  });

  const usageCases: [string, string[], RegExp][] = [
    ["unknown command", ["frobnicate"], /^dbmigrate: unknown command 'frobnicate'\. Use one of: status, up, verify/],
    [
      "unknown flag",
      ["up", "--yes-please"],
      /^dbmigrate: Unknown option '--yes-please'.*Run `dbmigrate --help` for the options/,
    ],
    [
      "bad customer slug",
      ["up", "--customer-slug", "Bad_Slug"],
      /^dbmigrate: --customer-slug 'Bad_Slug' must be lower-case letters/,
    ],
    [
      "hostname with a scheme",
      ["up", "--site-hostname", "https://blog.example.com"],
      /^dbmigrate: --site-hostname 'https:\/\/blog.example.com' must be a bare hostname without a scheme \(drop 'https:\/\/'\)/,
    ],
    [
      "hostname with a path",
      ["up", "--site-hostname", "blog.example.com/home"],
      /must be a bare hostname without a port or path/,
    ],
    [
      "unknown engine",
      ["status", "--engine", "mysql"],
      /^dbmigrate: --engine 'mysql' is not an engine\. Use postgres or cockroachdb/,
    ],
    [
      "bad timeout",
      ["status", "--connect-timeout", "soon"],
      /^dbmigrate: --connect-timeout 'soon' is not a positive number of milliseconds/,
    ],
    ["resolve without outcome", ["resolve", "0002"], /^dbmigrate: resolve needs exactly one of --applied/],
    ["no database", ["status"], /^dbmigrate: no database to connect to\. Pass --database-url or --database-url-secret/],
    [
      "malformed DSN",
      ["status", "--database-url", "postgres//nope"],
      /^dbmigrate: the database URL is not a URL\. Use postgresql:\/\/USER:PASSWORD@HOST:PORT\/DATABASE/,
    ],
    [
      "wrong scheme",
      ["status", "--database-url", "mysql://u:hunter22@h/db"],
      /^dbmigrate: the database URL has scheme 'mysql:', not postgresql: \(got 'mysql:\/\/u:\*\*\*@h\/db'\)/,
    ],
    [
      "verify-full without CA",
      ["status", "--database-url", "postgresql://u:hunter22@localhost/db?sslmode=verify-full"],
      /^dbmigrate: the database URL asks for sslmode=verify-full but no CA certificate was given\. Pass --ca-cert FILE/,
    ],
    [
      "CA that is not PEM",
      ["status", "--database-url", "postgresql://u:hunter22@localhost/db", "--ca-cert", "package.json"],
      /^dbmigrate: the CA certificate file 'package.json' is not a PEM certificate/,
    ],
    [
      "CA file missing",
      ["status", "--database-url", "postgresql://u:hunter22@localhost/db", "--ca-cert", "nope.pem"],
      /^dbmigrate: cannot read the CA certificate file 'nope.pem': ENOENT/,
    ],
    [
      "bad secret name",
      ["status", "--database-url-secret", "my-secret"],
      /^dbmigrate: --database-url-secret 'my-secret' is not a Secret Manager secret name\. Use projects\/PROJECT\/secrets\/SECRET/,
    ],
  ];
  for (const [what, args, expected] of usageCases) {
    it(`exits 2 with one line for a usage error: ${what}`, async () => {
      const run = await runCli(args);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, expected);
      assert.equal(run.stderr.trimEnd().split("\n").length, 1, run.stderr);
      assert.doesNotMatch(run.stderr, /hunter22/);
    });
  }

  it("exits 1 with one redacted line for a wrong password, and a stack only with --verbose", async () => {
    const dsn = await pg.createDatabase();
    const wrong = dsn.replace(pg.password, "not-the-password-123");
    const run = await runCli(["status"], { DATABASE_URL: wrong });
    assert.equal(run.code, 1);
    assert.match(
      run.stderr,
      /^dbmigrate: authentication failed for user 'postgres' at 127\.0\.0\.1:\d+ \[SQLSTATE 28P01\]\. Check the user and password in the DSN \(or its secret\)\n$/,
    );
    const verbose = await runCli(["status", "--verbose"], { DATABASE_URL: wrong });
    assert.match(verbose.stderr, /\n\s+at /);
    assert.doesNotMatch(verbose.stderr + verbose.stdout, /not-the-password-123/);
  });

  it("fails within the connect timeout against a host that never answers", async () => {
    const silent = net.createServer(() => undefined); // accepts, never speaks
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const port = (silent.address() as { port: number }).port;
    const started = Date.now();
    const run = await runCli(["status", "--connect-timeout", "500"], {
      DATABASE_URL: `postgresql://u:hunter22@127.0.0.1:${port}/db`,
    });
    silent.close();
    assert.equal(run.code, 1);
    assert.ok(Date.now() - started < 5000, "gave up in time");
    assert.match(
      run.stderr,
      /^dbmigrate: timed out after 500 ms connecting to 127\.0\.0\.1:\d+\. Check network access and firewalls, or raise --connect-timeout\n$/,
    );
  });

  it("takes the seed from the environment, flags winning over it", async () => {
    const dsn = await pg.createDatabase();
    const env = {
      DATABASE_URL: dsn,
      DEFAULT_CUSTOMER_NAME: "Env Co",
      DEFAULT_CUSTOMER_SLUG: "env-co",
      DEFAULT_SITE_NAME: "Env Site",
      DEFAULT_SITE_SLUG: "env-site",
      DEFAULT_SITE_HOSTNAME: "env.example.com",
    };
    assert.equal((await runCli(["up", "--customer-name", "Flag Co"], env)).code, 0);
    const db = databaseOf(dsn);
    assert.deepEqual(await pg.query(db, "SELECT name, slug FROM customers"), [{ name: "Flag Co", slug: "env-co" }]);
    assert.deepEqual(await pg.query(db, "SELECT name, slug FROM sites"), [{ name: "Env Site", slug: "env-site" }]);
    assert.deepEqual(await pg.query(db, "SELECT hostname, is_primary FROM domains"), [
      { hostname: "env.example.com", is_primary: true },
    ]);
    const status = await runCli(["status", "--json"], env);
    const seed = JSON.parse(status.stdout).seed;
    // The environment now asks for another name than the flag gave: status says what up would change.
    assert.deepEqual(
      [seed.customer, seed.site, seed.changes],
      [true, true, [{ what: "customerName", from: "Flag Co", to: "Env Co" }]],
    );
  });

  it("--allow-out-of-order applies a file numbered below the latest applied one", async () => {
    const dsn = await pg.createDatabase();
    const dir = migrationsDir({
      "0909_late.sql": "CREATE TABLE late (id UUID PRIMARY KEY DEFAULT gen_random_uuid());\n",
    });
    assert.equal((await runCli(["up", "--migrations-dir", dir], { DATABASE_URL: dsn })).code, 0);
    writeFileSync(
      path.join(dir, "0905_early.sql"),
      "CREATE TABLE early (id UUID PRIMARY KEY DEFAULT gen_random_uuid());\n",
    );
    const refused = await runCli(["up", "--migrations-dir", dir], { DATABASE_URL: dsn });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /0905_early.sql is new but numbered below the latest applied migration 0909/);
    const allowed = await runCli(["up", "--json", "--allow-out-of-order", "--migrations-dir", dir], {
      DATABASE_URL: dsn,
    });
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.deepEqual(
      JSON.parse(allowed.stdout).applied.map((m: { file: string }) => m.file),
      ["0905_early.sql"],
    );
  });

  it("--statement-timeout cancels a statement past it, naming the file and SQLSTATE 57014", async () => {
    const dsn = await pg.createDatabase();
    const dir = migrationsDir({ "0900_slow.sql": "SELECT pg_sleep(3);\n" });
    const run = await runCli(["up", "--statement-timeout", "300", "--migrations-dir", dir], { DATABASE_URL: dsn });
    assert.equal(run.code, 1);
    assert.match(
      run.stderr,
      /dbmigrate: migration 0900_slow.sql failed at line 1: canceling statement due to statement timeout .*\[SQLSTATE 57014\]/,
    );
  });

  it("apply-complete reads --complete-schema, and verify --json reports problems", async () => {
    const dsn = await pg.createDatabase();
    const copy = path.join(migrationsDir(), "complete.sql");
    writeFileSync(copy, readFileSync("schema/complete-schema.sql", "utf8"));
    const run = await runCli(["apply-complete", "--complete-schema", copy], { DATABASE_URL: dsn });
    assert.equal(run.code, 0, run.stderr);
    const verify = await runCli(["verify", "--json"], { DATABASE_URL: dsn });
    assert.deepEqual([verify.code, JSON.parse(verify.stdout)], [0, { ok: true, problems: [] }]);
    const missing = await runCli(["apply-complete", "--complete-schema", "nope.sql"], {
      DATABASE_URL: await pg.createDatabase(),
    });
    assert.equal(missing.code, 2);
    assert.match(
      missing.stderr,
      /^dbmigrate: cannot read the complete schema \(nope.sql\)\. Run from the project root or pass --complete-schema\n$/,
    );
  });

  it("prints usage for --help (exit 0) and for no command (exit 2)", async () => {
    const help = await runCli(["--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: dbmigrate <command> \[options\]/);
    const none = await runCli([]);
    assert.equal(none.code, 2);
    assert.match(none.stdout, /^Usage: dbmigrate/);
  });

  it("a full disk behind stdout is one line on stderr and exit 1, not a stack trace", () => {
    const full = openSync("/dev/full", "w");
    const run = spawnSync(process.execPath, ["bin/dbmigrate.js", "lint", "--format", "json"], {
      stdio: ["ignore", full, "pipe"],
      encoding: "utf8",
    });
    closeSync(full);
    assert.equal(run.status, 1);
    assert.equal(
      run.stderr,
      "dbmigrate: cannot write the result to stdout: no space left on the device (ENOSPC). Free space or send the output elsewhere\n",
    );
  });

  it("never prints the database password in any output of this file's runs", () => {
    assert.ok(capturedOutputs.length > 20);
    for (const output of capturedOutputs) {
      assert.doesNotMatch(output, new RegExp(pg.password));
      assert.doesNotMatch(output, /hunter22/);
    }
  });

  it("CockroachDB path: a definite failure at statement 2 shows as dirty at statement 2 of 3 (file:line); after fixing the cause, up resumes there", async () => {
    const dsn = await pg.createDatabase();
    const dir = migrationsDir({
      "0900_needs_data.sql":
        "CREATE TABLE resume_a (id UUID PRIMARY KEY DEFAULT gen_random_uuid());\nINSERT INTO resume_source (id) VALUES (gen_random_uuid());\nCREATE TABLE resume_b (id UUID PRIMARY KEY DEFAULT gen_random_uuid());\n",
    });
    const env = { DATABASE_URL: dsn, DBMIGRATE_ENGINE: "cockroachdb" };
    const failed = await runCli(["up", "--migrations-dir", dir], env);
    assert.equal(failed.code, 1);
    assert.match(
      failed.stderr,
      /\[SQLSTATE 42P01\]\. Statements before it were committed .* `dbmigrate up` resumes at statement 2/,
    );
    const status = await runCli(["status", "--migrations-dir", dir], env);
    assert.match(
      status.stdout,
      /0900_needs_data.sql +dirty +\(dirty at statement 2 of 3 \(0900_needs_data.sql:2\): relation "resume_source" does not exist; `dbmigrate up` resumes there\)/,
    );
    const json = JSON.parse((await runCli(["status", "--json", "--migrations-dir", dir], env)).stdout);
    const entry = json.migrations.find((m: { version: number }) => m.version === 900);
    assert.deepEqual(
      [entry.progress.statementsDone, entry.progress.statementsTotal, entry.progress.resumeAt],
      [1, 3, 1],
    );
    // The manual step: create what statement 2 needs. No `resolve`.
    await pg.query(databaseOf(dsn), "CREATE TABLE resume_source (id UUID PRIMARY KEY)");
    const resumed = await runCli(["up", "--migrations-dir", dir], env);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, /^applied 0900_needs_data.sql \(\d+ ms\), resumed at statement 2$/m);
    assert.match(resumed.stderr, /resuming 0900_needs_data.sql at statement 2 of 3/);
  });
});
