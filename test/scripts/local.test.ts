/**
 * `npm run local` and `npm run local:down` as a new user runs them, in a scratch folder and on a
 * free port: a persistent PostgreSQL with TLS, the local stack applied (through the engine here,
 * where no Pulumi CLI can be had), status printed, the password masked; then torn down.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { freePort } from "../support/postgres";
import { tempDir } from "../support/temp";

function npmRun(script: string, env: Record<string, string>) {
  // PATH without node_modules/.bin: no Pulumi CLI, as on a machine without internet.
  const PATH = [path.dirname(process.execPath), "/usr/local/bin", "/usr/bin", "/bin"].join(":");
  const result = spawnSync("npm", ["run", "--silent", script], {
    env: { ...process.env, ...env, PATH },
    encoding: "utf8",
    timeout: 120_000,
  });
  return { code: result.status, out: `${result.stdout}${result.stderr}` };
}

describe("npm run local", () => {
  it("starts a TLS PostgreSQL, applies the local stack, prints the DSN masked, the CA and status; local:down tears it down", async () => {
    const parent = tempDir("agoat-local-");
    chmodSync(parent, 0o755); // the postgres user must reach the data folder
    const dir = path.join(parent, ".local");
    const env = { AGOAT_LOCAL_DIR: dir, AGOAT_LOCAL_PORT: String(await freePort()) };
    const up = npmRun("local", env);
    assert.equal(up.code, 0, up.out);
    assert.match(up.out, /PostgreSQL started on localhost:\d+ with TLS/);
    assert.match(
      up.out,
      /^Pulumi CLI not available \(.*\): applying the local stack's schema and seed through dbmigrate directly$/m,
    );
    assert.match(
      up.out,
      /^DSN: {5}postgresql:\/\/postgres:\*\*\*@localhost:\d+\/agoat\?sslmode=verify-full {3}\(full DSN with password in /m,
    );
    assert.match(up.out, /^CA cert: .*certs\/test-ca\.crt$/m);
    assert.match(up.out, /0002_tenant_row_level_security.sql\s+applied/);
    assert.match(up.out, /seed: customer present, site present/);
    const password = readFileSync(path.join(dir, "pg", "password"), "utf8").trim();
    assert.doesNotMatch(up.out, new RegExp(password));
    assert.match(readFileSync(path.join(dir, "database-url"), "utf8"), new RegExp(`postgres:${password}@`));

    const again = npmRun("local", env);
    assert.equal(again.code, 0, again.out);
    assert.match(again.out, /PostgreSQL is already running/);
    assert.match(again.out, /nothing to apply: schema and seed are up to date/);

    const down = npmRun("local:down", env);
    assert.equal(down.code, 0, down.out);
    assert.match(down.out, /dropped every table of the schema, its history and its lock\nPostgreSQL stopped/);
    assert.ok(existsSync(path.join(dir, "pg", "data", "PG_VERSION")), "the data folder stays");
  });
});
