/**
 * The pull-request comment built from recorded inputs (a made-up pull request adding
 * `0007_add_post_tags.sql`): golden Markdown and JSON, the hidden marker once, the size limit with
 * the link to the full log kept. `UPDATE_GOLDEN=1` rewrites the golden files after a deliberate change.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { describe, it } from "node:test";
import {
  buildReview,
  MAX_COMMENT_CHARS,
  renderReviewMarkdown,
  REVIEW_MARKER,
  type ReviewInput,
} from "../../scripts/review-report";

const DIR = "test/scripts/review-comment";
const input = JSON.parse(readFileSync(`${DIR}/made-up-pr.input.json`, "utf8")) as ReviewInput;

function golden(file: string, actual: string): void {
  const path = `${DIR}/${file}`;
  if (process.env.UPDATE_GOLDEN === "1" || !existsSync(path)) writeFileSync(path, actual);
  assert.equal(actual, readFileSync(path, "utf8"), `${path} differs (UPDATE_GOLDEN=1 rewrites it)`);
}

describe("review comment", () => {
  it("renders the made-up pull request as the golden Markdown and JSON", () => {
    const report = buildReview(input);
    golden("made-up-pr.comment.md", renderReviewMarkdown(report, input));
    golden("made-up-pr.comment.json", `${JSON.stringify(report, null, 2)}\n`);
  });

  it("says per stack what it applies, what it changes, the risks, the tenant change and the preview", () => {
    const report = buildReview(input);
    const [dev, staging, prod] = report.stacks;
    assert.deepEqual(
      dev.pending.map((m) => m.file),
      ["0007_add_post_tags.sql"],
    );
    assert.deepEqual(dev.schemaChanges, [
      "+ column posts.tags: text[] NOT NULL DEFAULT '{}'::text[]",
      "+ constraint posts.posts_tags_count_check: CHECK ((cardinality(tags) <= 20))",
      "+ index posts.posts_tags_idx: CREATE INDEX posts_tags_idx ON public.posts USING gin (tags)",
    ]);
    assert.equal(staging.sameAs, "dev");
    assert.deepEqual(staging.tenantChanges, ["site hostname: `staging.agoat.example` → `www.staging.agoat.example`"]);
    assert.match(staging.preview, /error constraint-missing-not-valid/);
    assert.equal(prod.sameAs, null, "prod's row estimates make its risks its own");
    assert.deepEqual(
      prod.risks.map((r) => `${r.level} ${r.object}`),
      ["high constraint posts.posts_tags_count_check", "high index posts.posts_tags_idx", "info column posts.tags"],
    );
  });

  it("carries one hidden marker, and stays under the size limit with the log link when the change is huge", () => {
    const markdown = renderReviewMarkdown(buildReview(input), input);
    assert.equal(markdown.split(REVIEW_MARKER).length, 2);
    assert.ok(markdown.startsWith(REVIEW_MARKER));
    const huge: ReviewInput = structuredClone(input);
    huge.migrations.added[0].statements = Array.from({ length: 5000 }, (_, k) => ({
      line: k + 1,
      sql: `ALTER TABLE posts ADD COLUMN c${k} text DEFAULT '${"x".repeat(40)}'`,
    }));
    huge.schema.diff.changes = Array.from({ length: 3000 }, (_, k) => ({
      ...input.schema.diff.changes[0],
      name: `c${k}`,
      object: `posts.c${k}`,
    }));
    const big = renderReviewMarkdown(buildReview(huge), huge);
    assert.ok(big.length <= MAX_COMMENT_CHARS, `${big.length} characters`);
    assert.ok(big.startsWith(REVIEW_MARKER));
    assert.match(big, /\[full log\]\(https:\/\/github\.com\/agoat\/agoat-database\/actions\/runs\/1234567890\)/);
  });
});
