/**
 * The stack's life under the real Pulumi engine: drift found by `pulumi refresh`, `pulumi destroy`
 * per teardown policy, state used from another checkout, what the state holds, and two stacks
 * updating one database at once.
 */
import assert from "node:assert/strict";
import { cpSync, readdirSync, rmSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { copyProject, must, pulumiProject } from "../support/pulumi-cli";
import { NS, SCHEMA_TYPE, literal, newStack, tablesOf, tlsDsn, useE2eServer } from "../support/e2e-stack";

const server = useE2eServer();

describe("pulumi refresh: drift", () => {
  it("reports a removed (soft-deleted) default site in words; the next up re-creates it", async () => {
    const { project, stack, database } = await newStack(server);
    await must(project.run(["up", "--yes", "--stack", stack]));
    // Rows are soft-deleted in this schema (and the default tenant's record keeps a hard delete out).
    await server.pg.query(database, "UPDATE sites SET deleted_at = now() WHERE slug = 'main'");
    const refresh = await project.run(["refresh", "--yes", "--stack", stack]);
    assert.equal(refresh.code, 0, refresh.out);
    assert.match(refresh.out, /drift: the default site 'main' is missing/);
    const preview = await project.run(["preview", "--stack", stack, "--expect-no-changes"]);
    assert.notEqual(preview.code, 0, "a drifted stack must show a change");
    await must(project.run(["up", "--yes", "--stack", stack]));
    const sites = await server.pg.query(database, "SELECT 1 FROM sites WHERE slug = 'main' AND deleted_at IS NULL");
    assert.equal(sites.length, 1);
    const clean = await project.run(["refresh", "--yes", "--stack", stack]);
    assert.doesNotMatch(clean.out, /drift:/);
  });

  it("reports a removed history row; the next up refuses in one line instead of applying it twice", async () => {
    const { project, stack, database } = await newStack(server);
    await must(project.run(["up", "--yes", "--stack", stack]));
    await server.pg.query(database, "DELETE FROM schema_migrations WHERE file = '0002_tenant_row_level_security.sql'");
    const refresh = await project.run(["refresh", "--yes", "--stack", stack]);
    assert.equal(refresh.code, 0, refresh.out);
    assert.match(
      refresh.out,
      /drift: 0002_tenant_row_level_security\.sql is recorded in the stack but not applied in the database/,
    );
    const up = await project.run(["up", "--yes", "--stack", stack]);
    assert.notEqual(up.code, 0, up.out);
    assert.match(up.out, /0002_tenant_row_level_security\.sql.*SQLSTATE 42710/);
  });
});

describe("pulumi destroy", () => {
  it("with teardown drop leaves no table of the schema", async () => {
    const { project, stack, database } = await newStack(server);
    await must(project.run(["up", "--yes", "--stack", stack]));
    assert.ok((await tablesOf(server, database)).includes("customers"));
    const destroy = await project.run(["destroy", "--yes", "--stack", stack]);
    assert.equal(destroy.code, 0, destroy.out);
    assert.match(destroy.out, literal(`-  ${SCHEMA_TYPE} schema deleted`));
    assert.deepEqual(await tablesOf(server, database), []);
  });

  it("with teardown retain keeps the schema and its data", async () => {
    const { project, stack, database } = await newStack(server, { extra: { teardown: "retain" } });
    await must(project.run(["up", "--yes", "--stack", stack]));
    const destroy = await project.run(["destroy", "--yes", "--stack", stack]);
    assert.equal(destroy.code, 0, destroy.out);
    const customers = await server.pg.query(database, "SELECT 1 FROM customers WHERE slug = 'e2e'");
    assert.equal(customers.length, 1);
  });

  it("with protect refuses, and nothing is dropped", async () => {
    const { project, stack, database } = await newStack(server, { extra: { protect: "true" } });
    await must(project.run(["up", "--yes", "--stack", stack]));
    const destroy = await project.run(["destroy", "--yes", "--stack", stack]);
    assert.notEqual(destroy.code, 0, destroy.out);
    assert.match(destroy.out, /protected/);
    assert.ok((await tablesOf(server, database)).includes("customers"));
  });
});

describe("state across checkouts", () => {
  it("up and destroy work from another checkout at another path after the first is gone", async () => {
    const first = await newStack(server);
    await must(first.project.run(["up", "--yes", "--stack", first.stack]));
    const elsewhere = copyProject();
    cpSync(
      path.join(first.project.dir, `Pulumi.${first.stack}.yaml`),
      path.join(elsewhere, `Pulumi.${first.stack}.yaml`),
    );
    rmSync(first.project.dir, { recursive: true, force: true });
    const second = pulumiProject(elsewhere, first.project.backend);
    const preview = await second.run(["preview", "--stack", first.stack, "--expect-no-changes"]);
    assert.equal(preview.code, 0, preview.out);
    await must(second.run(["up", "--yes", "--stack", first.stack]));
    const destroy = await second.run(["destroy", "--yes", "--stack", first.stack]);
    assert.equal(destroy.code, 0, destroy.out);
    assert.deepEqual(await tablesOf(server, first.database), []);
  });

  it("the exported state holds no password, and the stored provider no secret and no absolute path", async () => {
    const { project, stack } = await newStack(server);
    await must(project.run(["up", "--yes", "--stack", stack]));
    const exported = await must(project.run(["stack", "export", "--stack", stack]));
    assert.ok(!exported.stdout.includes(server.pg.password), "the state holds the password in plain text");
    const state = JSON.parse(exported.stdout) as {
      deployment: {
        resources: { type: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown> }[];
      };
    };
    const schema = state.deployment.resources.find((r) => r.type.endsWith("agoat:DatabaseSchema"));
    assert.ok(schema, "the state has the schema resource");
    const provider = String(schema.outputs?.__provider ?? schema.inputs?.__provider ?? "");
    assert.ok(provider.length > 0, "the state stores the provider");
    assert.ok(!provider.includes(server.pg.password));
    assert.ok(!provider.includes(project.dir), "__provider holds the project's absolute path");
    assert.doesNotMatch(provider, /\/(tmp|root|home|work)\//, "__provider holds an absolute path");
    for (const file of readdirSync(project.backend, { recursive: true, encoding: "utf8" }))
      assert.ok(!file.includes(server.pg.password));
  });
});

describe("two stacks, one database", () => {
  it("both up at once: each migration is applied once, both succeed", async () => {
    const a = await newStack(server, { stack: "alpha" });
    await newStack(server, { stack: "beta", project: a.project, database: a.database });
    const [one, two] = await Promise.all([
      a.project.run(["up", "--yes", "--stack", "alpha"]),
      a.project.run(["up", "--yes", "--stack", "beta"]),
    ]);
    assert.equal(one.code, 0, one.out);
    assert.equal(two.code, 0, two.out);
    const history = await server.pg.query<{ file: string; n: string }>(
      a.database,
      "SELECT file, count(*) AS n FROM schema_migrations GROUP BY file",
    );
    assert.ok(history.length >= 2);
    for (const row of history) assert.equal(Number(row.n), 1, `${row.file} applied ${row.n} times`);
    assert.equal((await server.pg.query(a.database, "SELECT 1 FROM customers WHERE slug = 'e2e'")).length, 1);
  });
});

describe("a wrong database password", () => {
  it("fails pulumi up with one redacted line and leaves the database untouched", async () => {
    const wrong = "Wr0ng-Pa55word-e2e";
    const { project, stack, database } = await newStack(server);
    await must(
      project.run(["config", "set", "--stack", stack, "--secret", `${NS}:databaseUrl`], {
        stdin: tlsDsn(server, database, wrong),
      }),
    );
    const up = await project.run(["up", "--yes", "--stack", stack]);
    assert.notEqual(up.code, 0, up.out);
    assert.match(
      up.out,
      /error: authentication failed for user 'postgres' at localhost:\d+ \[SQLSTATE 28P01\]\. Check /,
    );
    assert.ok(!up.out.includes(wrong), "the output holds the wrong password");
    assert.deepEqual(await tablesOf(server, database), []);
  });
});
