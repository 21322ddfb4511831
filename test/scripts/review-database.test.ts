/** scripts/review-database.ts against a real PostgreSQL: create (idempotent), url, drop. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { startPostgres, type TestPostgres } from "../support/postgres";

let pg: TestPostgres;
before(async () => {
  pg = await startPostgres();
});
after(() => pg?.stop());

function script(...args: string[]) {
  return scriptWith(pg.url(), ...args);
}

function scriptWith(admin: string, ...args: string[]) {
  const result = spawnSync(process.execPath, ["--import", "tsx", "scripts/review-database.ts", ...args], {
    env: { ...process.env, REVIEW_ADMIN_DATABASE_URL: admin },
    encoding: "utf8",
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const exists = async (name: string) =>
  (await pg.query("postgres", "SELECT 1 FROM pg_database WHERE datname = $1", [name])).length === 1;

describe("review databases", () => {
  it("creates a database once, prints its DSN, and drops it with everything in it", async () => {
    assert.deepEqual(script("create", "agoat_pr_42"), {
      code: 0,
      stdout: "",
      stderr: "created database: agoat_pr_42\n",
    });
    assert.equal(script("create", "agoat_pr_42").stderr, "database exists: agoat_pr_42\n");
    assert.ok(await exists("agoat_pr_42"));
    assert.equal(script("url", "agoat_pr_42").stdout, pg.url("agoat_pr_42") + "\n");
    await pg.query("agoat_pr_42", "CREATE TABLE leftover (id INT)");
    assert.equal(script("drop", "agoat_pr_42").code, 0);
    assert.equal(await exists("agoat_pr_42"), false);
    assert.equal(script("drop", "agoat_pr_42").stderr, "no such database: agoat_pr_42\n");
  });

  it("refuses a name that is not a plain identifier, in one line", () => {
    const run = script("create", "x; DROP DATABASE postgres");
    assert.equal(run.code, 2);
    assert.equal(
      run.stderr,
      "review-database: 'x; DROP DATABASE postgres' is not a database name (lower-case letters, digits, underscores)\n",
    );
  });

  it("says a failed connection in the one error line, without the password", () => {
    const wrong = pg.url().replace(pg.password, "wr0ng-adm1n-pa55");
    const run = scriptWith(wrong, "create", "agoat_pr_7");
    assert.equal(run.code, 1);
    assert.match(
      run.stderr,
      /^review-database: authentication failed for user 'postgres' at 127\.0\.0\.1:\d+ \[SQLSTATE 28P01\]\. Check the user and password/,
    );
    assert.equal(run.stderr.trimEnd().split("\n").length, 1);
    assert.equal(run.stderr.includes("wr0ng-adm1n-pa55"), false);
  });
});
