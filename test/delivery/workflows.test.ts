/**
 * The GitHub workflows cannot run here, so their structure is checked: triggers, least
 * permissions, pinned actions, stack names, the deploy order and the commands they run.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import * as yaml from "js-yaml";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Workflow = any;
const load = (name: string): Workflow => yaml.load(readFileSync(`.github/workflows/${name}`, "utf8"));
const steps = (job: Workflow): Workflow[] => job.steps ?? [];
const runs = (job: Workflow) =>
  steps(job)
    .map((s: Workflow) => s.run ?? "")
    .join("\n");

describe("GitHub workflows", () => {
  it("install the Pulumi CLI at the @pulumi/pulumi version of package-lock.json", () => {
    for (const file of ["deploy-stack.yml", "review-stack.yml"]) {
      for (const job of Object.values(load(file).jobs) as Workflow[]) {
        const pin = steps(job).find((s: Workflow) => s.id === "pin");
        assert.match(
          String(pin?.run),
          /package-lock\.json"\)\.packages\["node_modules\/@pulumi\/pulumi"\]\.version/,
          file,
        );
        const pulumi = steps(job).find((s: Workflow) => String(s.uses).startsWith("pulumi/actions@"));
        assert.equal(pulumi.with["pulumi-version"], "${{ steps.pin.outputs.version }}", file);
      }
    }
  });

  it("pin every action to a full commit SHA, and grant no more than contents: read at the top", () => {
    for (const file of readdirSync(".github/workflows")) {
      const text = readFileSync(`.github/workflows/${file}`, "utf8");
      for (const m of text.matchAll(/uses:\s*(\S+)/g)) {
        if (m[1].startsWith("./")) continue;
        assert.match(m[1], /^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/, `${file}: ${m[1]} is not pinned to a commit`);
      }
      const workflow = load(file);
      assert.deepEqual(workflow.permissions, { contents: "read" }, `${file}: top-level permissions`);
      assert.doesNotMatch(text, /pull_request_target|write-all/, file);
    }
  });

  it("preview: on pull requests, tests with .ci/run, then previews every stack (JSON) with keyless auth", () => {
    const preview = load("preview.yml");
    assert.deepEqual(preview.on, { pull_request: { branches: ["main"] } });
    assert.match(runs(preview.jobs.test), /^bash \.ci\/run$/m);
    const job = preview.jobs.review;
    assert.equal(job.needs, "test");
    assert.deepEqual(job.permissions, { contents: "read", "id-token": "write", "pull-requests": "write" });
    assert.match(runs(job), /for stack in dev staging prod; do/);
    assert.match(runs(job), /pulumi preview --stack "\$stack" --json --non-interactive > "preview-\$stack\.json"/);
    const auth = steps(job).find((s: Workflow) => String(s.uses).startsWith("google-github-actions/auth@"));
    assert.ok(auth.with.workload_identity_provider && !auth.with.credentials_json, "keyless auth");
  });

  it("preview: one review comment built by scripts/review-comment.ts, updated in place through its marker", () => {
    const job = load("preview.yml").jobs.review;
    const checkout = steps(job).find((s: Workflow) => String(s.uses).startsWith("actions/checkout@"));
    assert.equal(checkout.with["fetch-depth"], 0, "the base commit is there to diff against");
    const script = runs(job);
    assert.match(script, /git diff --name-only --diff-filter=AMR "\$BASE_SHA"\.\.\.HEAD -- 'migrations\/\*\.sql'/);
    assert.match(script, /npx dbmigrate lint --format github "\$\{files\[@\]\}"/);
    assert.match(script, /scripts\/review-comment\.ts collect --base "\$BASE_SHA"/);
    assert.match(script, /scripts\/review-comment\.ts render --input review\.json --output review\.md/);
    assert.match(script, /marker='<!-- agoat-database:review -->'/);
    assert.match(script, /gh api --method PATCH "repos\/\$GH_REPO\/issues\/comments\/\$id" -F body=@review\.md/);
    assert.doesNotMatch(script, /gh pr comment/, "never a new comment per push");
    assert.ok(
      !steps(job).some((s: Workflow) => s.with?.["comment-on-pr"]),
      "the Pulumi action posts no comment of its own",
    );
    const fail = steps(job).find((s: Workflow) => s.name === "Fail on lint errors or a failed preview");
    assert.equal(fail.if, "steps.lint.outputs.status != '0' || steps.previews.outputs.failed != ''");
  });

  it("set up Go with its caches keyed on every tools/ go.sum before building the Pulumi CLI or CockroachDB's grammar", () => {
    const sums = ["tools/pulumi-cli/go.sum", "tools/pulumi-language-nodejs/go.sum", "tools/crdb-parser/go.sum"];
    const jobs = [load("deploy.yml").jobs.test, load("preview.yml").jobs.test, load("preview.yml").jobs.review];
    for (const job of jobs) {
      const all = steps(job);
      const go = all.findIndex((s: Workflow) => String(s.uses).startsWith("actions/setup-go@"));
      const builds = all.findIndex((s: Workflow) => /\.ci\/run|ensure-crdb-parser\.sh/.test(String(s.run ?? "")));
      assert.ok(go >= 0 && go < builds, `setup-go comes before the build in ${job.name ?? "a job"}`);
      for (const sum of sums) assert.match(all[go].with["cache-dependency-path"], new RegExp(`^${sum}$`, "m"));
    }
    assert.match(runs(load("preview.yml").jobs.review), /npx dbmigrate lint .*--require-cockroachdb-grammar/);
  });

  it("deploy: on push to main, dev then staging then prod, each in its environment", () => {
    const deploy = load("deploy.yml");
    assert.deepEqual(deploy.on, { push: { branches: ["main"] } });
    assert.equal(deploy.concurrency["cancel-in-progress"], false);
    const order = ["dev", "staging", "prod"].map((stack) => deploy.jobs[stack]);
    assert.deepEqual(
      order.map((j: Workflow) => [j.needs, j.with.stack, j.uses]),
      [
        ["test", "dev", "./.github/workflows/deploy-stack.yml"],
        ["dev", "staging", "./.github/workflows/deploy-stack.yml"],
        ["staging", "prod", "./.github/workflows/deploy-stack.yml"],
      ],
    );
    const stack = load("deploy-stack.yml").jobs.up;
    assert.equal(stack.environment, "${{ inputs.stack }}", "prod's approval lives on its GitHub environment");
    assert.deepEqual(stack.permissions, { contents: "read", "id-token": "write" });
    const pulumi = steps(stack).find((s: Workflow) => String(s.uses).startsWith("pulumi/actions@"));
    assert.deepEqual([pulumi.with.command, pulumi.with["stack-name"]], ["up", "${{ inputs.stack }}"]);
  });

  it("review-stack: pr-<number> with teardown drop on open and update; destroy, stack rm and drop on close", () => {
    const review = load("review-stack.yml");
    assert.deepEqual(review.on.pull_request.types, ["opened", "synchronize", "reopened", "closed"]);
    assert.equal(review.env.STACK, "pr-${{ github.event.pull_request.number }}");
    assert.equal(review.jobs.up.if, "github.event.action != 'closed'");
    assert.equal(review.jobs.destroy.if, "github.event.action == 'closed'");
    const up = runs(review.jobs.up);
    assert.match(up, /review-database\.ts create "\$DATABASE"/);
    assert.match(up, /pulumi stack select --create "\$STACK"/);
    assert.match(up, /pulumi config set agoat-database:teardown drop/);
    assert.match(up, /pulumi config set agoat-database:secretStore none/);
    assert.match(up, /pulumi config set --secret agoat-database:databaseUrl/);
    assert.match(up, /pulumi up --yes --stack "\$STACK"/);
    const down = runs(review.jobs.destroy);
    assert.match(
      down,
      /pulumi destroy --yes --stack "\$STACK"\npulumi stack rm --yes "\$STACK"\nnode --import tsx scripts\/review-database\.ts drop "\$DATABASE"/,
    );
  });

  it("cockroachdb: starts CockroachDB 23.2, 24.3, 25.2 and latest and runs the CockroachDB-path tests with COCKROACH_URL", () => {
    const job = load("cockroachdb.yml").jobs.cockroachdb;
    assert.deepEqual(job.strategy.matrix.cockroachdb, ["latest-v23.2", "latest-v24.3", "latest-v25.2", "latest"]);
    assert.match(runs(job), /cockroachdb\/cockroach:\$\{\{ matrix.cockroachdb \}\}" start-single-node --insecure/);
    const test = steps(job).find((s: Workflow) => String(s.run ?? "").includes("cockroachdb-real.test.ts"));
    assert.match(test.env.COCKROACH_URL, /^postgresql:\/\/root@localhost:26257\//);
  });
});
