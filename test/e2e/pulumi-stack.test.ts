/**
 * The stack under the real Pulumi engine: `pulumi preview` and `pulumi up` of a copy of the
 * project against a real PostgreSQL with TLS, a file:// backend and a passphrase secrets provider
 * (secretStore none: the gcp provider plugin cannot be had here; gcp resources are covered by the
 * mocks in test/infra/).
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { must } from "../support/pulumi-cli";
import { SCHEMA_TYPE, literal, newStack, sessionsOf, stackOutputs, tablesOf, useE2eServer } from "../support/e2e-stack";

const server = useE2eServer();

describe("pulumi preview and up", () => {
  it("previews a first deploy as a create naming the migration files, without touching the database", async () => {
    const { project, stack, database } = await newStack(server);
    const sessions = await sessionsOf(server, database);
    const preview = await project.run(["preview", "--stack", stack, "--diff"]);
    assert.equal(preview.code, 0, preview.out);
    assert.match(preview.out, literal(`+ ${SCHEMA_TYPE}: (create)`));
    assert.match(preview.out, /0001_complete_schema\.sql/);
    assert.match(preview.out, /0002_tenant_row_level_security\.sql/);
    assert.equal(await sessionsOf(server, database), sessions, "the preview opened a session on the database");
    assert.deepEqual(await tablesOf(server, database), []);
  });

  it("up applies the schema and seeds the tenant; the outputs match the database; a second preview has no changes", async () => {
    const { project, stack, database } = await newStack(server);
    const up = await project.run(["up", "--yes", "--stack", stack]);
    assert.equal(up.code, 0, up.out);
    assert.match(up.out, literal(`+  ${SCHEMA_TYPE} schema created`));
    assert.match(up.out, /Resources:\s+\+ 2 created/);
    const outputs = await stackOutputs(project, stack);
    const history = await server.pg.query<{ version: number; file: string; checksum: string }>(
      database,
      "SELECT version, file, checksum FROM schema_migrations WHERE NOT dirty ORDER BY version",
    );
    assert.ok(history.length >= 2, "the history holds the project's migrations");
    assert.equal(outputs.schemaVersion, Math.max(...history.map((h) => Number(h.version))));
    assert.deepEqual(
      outputs.appliedMigrations,
      history.map(({ file, checksum }) => ({ file, checksum })),
    );
    const [customer] = await server.pg.query<{ id: string }>(database, "SELECT id FROM customers WHERE slug = 'e2e'");
    const [site] = await server.pg.query<{ id: string }>(database, "SELECT id FROM sites WHERE slug = 'main'");
    assert.equal(outputs.defaultCustomerId, customer.id);
    assert.equal(outputs.defaultSiteId, site.id);

    const again = await project.run(["preview", "--stack", stack, "--expect-no-changes"]);
    assert.equal(again.code, 0, again.out);
  });

  it("a new migration with a lint error fails the preview with that finding, and up applies nothing", async () => {
    const { project, stack, database } = await newStack(server);
    await must(project.run(["up", "--yes", "--stack", stack]));
    const file = "0901_e2e_drop_excerpt.sql";
    writeFileSync(
      path.join(project.dir, "migrations", file),
      "-- the excerpt goes\nALTER TABLE posts DROP COLUMN excerpt;\n",
    );
    const preview = await project.run(["preview", "--stack", stack]);
    assert.notEqual(preview.code, 0, preview.out);
    assert.match(preview.out, literal(`${file}:2:1: error drop-column: `));
    const up = await project.run(["up", "--yes", "--stack", stack]);
    assert.notEqual(up.code, 0, up.out);
    const rows = await server.pg.query(database, "SELECT 1 FROM schema_migrations WHERE file = $1", [file]);
    assert.equal(rows.length, 0, "the migration was applied despite the lint error");
  });

  it("a new migration file: preview --diff names it, up applies it once", async () => {
    const { project, stack, database } = await newStack(server);
    await must(project.run(["up", "--yes", "--stack", stack]));
    const file = "0900_e2e_bookmarks.sql";
    writeFileSync(
      path.join(project.dir, "migrations", file),
      "CREATE TABLE IF NOT EXISTS e2e_bookmarks (id UUID PRIMARY KEY DEFAULT gen_random_uuid(), url TEXT NOT NULL);\n",
    );
    const preview = await project.run(["preview", "--stack", stack, "--diff"]);
    assert.equal(preview.code, 0, preview.out);
    assert.match(preview.out, literal(`~ ${SCHEMA_TYPE}: (update)`));
    assert.match(preview.out, literal(file));
    const up = await must(project.run(["up", "--yes", "--stack", stack]));
    assert.match(up.out, literal(`~  ${SCHEMA_TYPE} schema updated`));
    const rows = await server.pg.query(database, "SELECT 1 FROM schema_migrations WHERE file = $1", [file]);
    assert.equal(rows.length, 1);
    assert.ok((await tablesOf(server, database)).includes("e2e_bookmarks"));
    const noop = await project.run(["preview", "--stack", stack, "--expect-no-changes"]);
    assert.equal(noop.code, 0, noop.out);
  });
});
