/**
 * `npm run local` and `npm run local:down` as a new user runs them, in a scratch folder and on a
 * free port: a persistent PostgreSQL with TLS, a real `pulumi up --stack local` through the
 * Automation API (the CLI from PATH, as `.ci/ensure-pulumi.sh` leaves it), its update summary,
 * outputs and status, the password masked, `.local/env` to source; then a real `pulumi destroy`.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { freePort } from "../support/postgres";
import { pulumiExecutable } from "../support/pulumi-cli";
import { tempDir } from "../support/temp";

function npmRun(script: string, env: Record<string, string>) {
  const result = spawnSync("npm", ["run", "--silent", script], {
    env: { ...process.env, ...env },
    encoding: "utf8",
    timeout: 300_000,
  });
  return { code: result.status, out: `${result.stdout}${result.stderr}` };
}

describe("npm run local", () => {
  it("runs a real pulumi up and prints its summary, outputs, the DSN masked, .local/env and status; local:down destroys", async () => {
    pulumiExecutable();
    const parent = tempDir("agoat-local-");
    chmodSync(parent, 0o755); // the postgres user must reach the data folder
    const dir = path.join(parent, ".local");
    const env = { AGOAT_LOCAL_DIR: dir, AGOAT_LOCAL_PORT: String(await freePort()) };
    const committed = readFileSync("Pulumi.local.yaml", "utf8");
    const up = npmRun("local", env);
    assert.equal(up.code, 0, up.out);
    assert.match(up.out, /PostgreSQL started on localhost:\d+ with TLS/);
    assert.match(up.out, /^pulumi up --stack local /m);
    // The engine's own progress, streamed.
    assert.match(up.out, /\+ {2}pulumi-nodejs:dynamic\/agoat:DatabaseSchema schema created/);
    assert.match(up.out, /DatabaseSchema: applied 0001_complete_schema\.sql/);
    assert.match(up.out, /^update succeeded: 2 created, 0 updated, 0 deleted, 0 unchanged in \d+\.\d s$/m);
    assert.match(up.out, /^ {2}schemaVersion: \d+$/m);
    assert.match(up.out, /^ {2}defaultSiteId: "[0-9a-f-]{36}"$/m);
    assert.match(
      up.out,
      /^DSN: {5}postgresql:\/\/postgres:\*\*\*@localhost:\d+\/agoat\?sslmode=verify-full {3}\(full DSN with password in /m,
    );
    assert.match(up.out, /^CA cert: .*certs\/test-ca\.crt$/m);
    assert.match(up.out, /^Next: {4}source .*\.local\/env && npx dbmigrate status$/m);
    assert.match(up.out, /0002_tenant_row_level_security.sql\s+applied/);
    const password = readFileSync(path.join(dir, "pg", "password"), "utf8").trim();
    assert.doesNotMatch(up.out, new RegExp(password));
    assert.match(readFileSync(path.join(dir, "database-url"), "utf8"), new RegExp(`postgres:${password}@`));

    // `source .local/env && npx dbmigrate status` works with nothing typed by hand.
    const status = spawnSync("bash", ["-c", `source "${path.join(dir, "env")}" && node bin/dbmigrate.js status`], {
      encoding: "utf8",
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
    });
    assert.equal(status.status, 0, `${status.stdout}${status.stderr}`);
    assert.match(status.stdout, /0001_complete_schema\.sql\s+applied/);
    assert.doesNotMatch(`${status.stdout}${status.stderr}`, new RegExp(password));

    // ... and so do plain `pulumi preview` and `pulumi refresh` on the local stack, from the project folder.
    for (const command of ["pulumi preview --expect-no-changes", "pulumi refresh --yes --skip-preview"]) {
      const run = spawnSync("bash", ["-c", `source "${path.join(dir, "env")}" && ${command} --non-interactive`], {
        encoding: "utf8",
        env: { PATH: process.env.PATH, HOME: process.env.HOME },
      });
      assert.equal(run.status, 0, `${command}:\n${run.stdout}${run.stderr}`);
      assert.doesNotMatch(`${run.stdout}${run.stderr}`, new RegExp(password));
    }

    const again = npmRun("local", env);
    assert.equal(again.code, 0, again.out);
    assert.match(again.out, /PostgreSQL is already running/);
    assert.match(again.out, /^update succeeded: 0 created, 0 updated, 0 deleted, 2 unchanged in /m);

    const down = npmRun("local:down", env);
    assert.equal(down.code, 0, down.out);
    assert.match(down.out, /- {2}pulumi-nodejs:dynamic\/agoat:DatabaseSchema schema deleted/);
    assert.match(down.out, /^destroy succeeded: 0 created, 0 updated, 2 deleted, 0 unchanged in /m);
    assert.match(down.out, /PostgreSQL stopped/);
    assert.ok(existsSync(path.join(dir, "pg", "data", "PG_VERSION")), "the data folder stays");
    assert.equal(readFileSync("Pulumi.local.yaml", "utf8"), committed, "npm run local rewrote a committed file");
  });
});
