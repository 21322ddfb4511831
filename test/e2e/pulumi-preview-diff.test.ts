/**
 * What a reviewer reads in `pulumi preview --diff` under the real engine: after one new
 * migration, exactly one added file and no removal, no re-print of the applied files or their
 * checksums, no CA certificate; and drift made by hand is named object by object by a real
 * `pulumi refresh`, then shown by the next preview.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { must } from "../support/pulumi-cli";
import { SCHEMA_TYPE, literal, newStack, sessionsOf, useE2eServer } from "../support/e2e-stack";

const server = useE2eServer();

/** The lines of the DatabaseSchema resource's block in a `--diff` output. */
function schemaBlock(out: string): string[] {
  const lines = out.split("\n");
  const start = lines.findIndex((l) => l.includes(`${SCHEMA_TYPE}:`));
  assert.ok(start >= 0, `no ${SCHEMA_TYPE} in:\n${out}`);
  const end = lines.findIndex((l, k) => k > start && /^\S/.test(l));
  return lines.slice(start, end < 0 ? undefined : end);
}

describe("pulumi preview --diff reads as what changes", () => {
  it("after one new migration: one added file, no removal, no applied file, no CA certificate; no database I/O", async () => {
    const { project, stack, database } = await newStack(server);
    await must(project.run(["up", "--yes", "--stack", stack]));
    const file = "0900_add_post_tags.sql";
    writeFileSync(
      path.join(project.dir, "migrations", file),
      "ALTER TABLE posts ADD COLUMN IF NOT EXISTS tags TEXT[];\nCREATE INDEX IF NOT EXISTS posts_tags_idx ON posts (customer_id, site_id);\n",
    );
    const sessions = await sessionsOf(server, database);
    const preview = await project.run(["preview", "--stack", stack, "--diff"]);
    assert.equal(preview.code, 0, preview.out);
    assert.equal(await sessionsOf(server, database), sessions, "the preview opened a session on the database");
    const block = schemaBlock(preview.out).join("\n");
    assert.match(block, literal(`~ ${SCHEMA_TYPE}: (update)`));
    // One property added, holding exactly the new file.
    assert.match(block, /^\s+\+ pendingMigrations: \[\n\s+\+\s+\[0\]: "0900_add_post_tags\.sql"\n\s+\]$/m);
    assert.equal((block.match(/\.sql/g) ?? []).length, 1, `one file named:\n${block}`);
    assert.doesNotMatch(block, /^\s+- /m, `a removal shown:\n${block}`);
    assert.doesNotMatch(block, /[0-9a-f]{64}/, `a checksum printed:\n${block}`);
    assert.doesNotMatch(preview.out, /BEGIN CERTIFICATE/, "the CA certificate is printed");
    assert.match(block, /caCert\s+: \[secret\]/);
    // And the update applies it; the preview after that shows nothing to do.
    await must(project.run(["up", "--yes", "--stack", stack]));
    const after = await project.run(["preview", "--stack", stack, "--diff", "--expect-no-changes"]);
    assert.equal(after.code, 0, after.out);
    assert.doesNotMatch(after.out, /pendingMigrations/);
  });
});

/** Hand-made changes and how a refresh names them. */
const DRIFT: [string, string, RegExp][] = [
  [
    "a column added",
    "ALTER TABLE posts ADD COLUMN tags text[]",
    /schema drift: column posts\.tags exists in the database/,
  ],
  [
    "an index dropped",
    "DROP INDEX posts_author_updated_idx",
    /schema drift: index posts\.posts_author_updated_idx was made by the migrations but is gone/,
  ],
  [
    "a constraint changed",
    "ALTER TABLE posts DROP CONSTRAINT posts_title_check, ADD CONSTRAINT posts_title_check CHECK (length(title) < 900)",
    /schema drift: constraint posts\.posts_title_check differs from what the migrations made/,
  ],
  [
    "row-level security disabled",
    "ALTER TABLE posts DISABLE ROW LEVEL SECURITY",
    /schema drift: table posts differs from what the migrations made \(row-level security on → off\)/,
  ],
  [
    "a default changed",
    "ALTER TABLE customers ALTER COLUMN status SET DEFAULT 'closed'",
    /schema drift: column customers\.status differs from what the migrations made \(default 'active'::text → 'closed'::text\)/,
  ],
];

describe("pulumi refresh: schema drift object by object", () => {
  it("names each hand-made change; the next preview shows the same list", async () => {
    const { project, stack, database } = await newStack(server);
    await must(project.run(["up", "--yes", "--stack", stack]));
    for (const [, sql] of DRIFT) await server.pg.query(database, sql);
    const refresh = await project.run(["refresh", "--yes", "--stack", stack]);
    assert.equal(refresh.code, 0, refresh.out);
    for (const [what, , line] of DRIFT) assert.match(refresh.out, line, `refresh does not name ${what}`);
    const preview = await project.run(["preview", "--stack", stack, "--diff"]);
    assert.equal(preview.code, 0, preview.out);
    const block = schemaBlock(preview.out).join("\n");
    assert.match(block, /\+ driftFoundByRefresh: \[/);
    for (const [what, , line] of DRIFT) assert.match(block, line, `the preview does not show ${what}`);
    assert.doesNotMatch(preview.out, /BEGIN CERTIFICATE/);
  });
});
