/**
 * The review-stack flow of .github/workflows/review-stack.yml, run with the workflow's own `run:`
 * steps (read from the file) against a real PostgreSQL with TLS and the real Pulumi CLI: the
 * database is created, the stack `pr-<n>` comes up, then is destroyed and removed and its database
 * dropped. Only `npm ci` (done) and the CLI install (ensure-pulumi) are not re-run; the Pulumi
 * Cloud backend is replaced by a file:// one.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import * as yaml from "js-yaml";
import { useE2eServer, tablesOf } from "../support/e2e-stack";
import { copyProject, pulumiOutputs, pulumiProject } from "../support/pulumi-cli";
import { tempDir } from "../support/temp";

const server = useE2eServer();

interface Step {
  run?: string;
  env?: Record<string, string>;
}
interface Job {
  steps: Step[];
}

/** Replaces the workflow's `${{ ... }}` expressions with `values`; throws on one it does not know. */
function expand(text: string, values: Record<string, string>): string {
  return text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_m, expression: string) => {
    if (!(expression in values)) throw new Error(`the test does not know the workflow expression ${expression}`);
    return values[expression];
  });
}

describe("the review-stack workflow's commands", () => {
  it("create the database, bring pr-<n> up, then destroy it, remove the stack and drop the database", async () => {
    const workflow = yaml.load(readFileSync(".github/workflows/review-stack.yml", "utf8")) as {
      env: Record<string, string>;
      jobs: Record<string, Job>;
    };
    const project = pulumiProject(copyProject());
    cpSync("scripts", path.join(project.dir, "scripts"), { recursive: true });
    const workspace = tempDir("agoat-workspace-");
    const values: Record<string, string> = {
      "github.event.pull_request.number": "4242",
      "github.workspace": workspace,
      "secrets.PULUMI_ACCESS_TOKEN": "",
      "secrets.REVIEW_ADMIN_DATABASE_URL": server.pg
        .url("postgres")
        .replace("127.0.0.1", "localhost")
        .concat("?sslmode=verify-full"),
      "secrets.REVIEW_CA_CERT": server.ca.trim(),
    };
    const env: Record<string, string> = { ...project.env, GITHUB_OUTPUT: path.join(workspace, "github-output") };
    for (const [key, value] of Object.entries(workflow.env)) env[key] = expand(value, values);
    assert.equal(env.STACK, "pr-4242");

    const runJob = (name: string) => {
      for (const step of workflow.jobs[name].steps) {
        if (!step.run || step.run.trim() === "npm ci") continue;
        const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expand(v, values)]));
        const result = spawnSync("bash", ["-eo", "pipefail", "-c", expand(step.run, values)], {
          cwd: project.dir,
          env: { ...env, ...stepEnv },
          encoding: "utf8",
        });
        pulumiOutputs.push(result.stdout, result.stderr);
        assert.equal(result.status, 0, `${name}: ${step.run}\n${result.stdout}${result.stderr}`);
      }
    };

    runJob("up");
    const database = env.DATABASE;
    assert.ok((await tablesOf(server, database)).includes("customers"), "the review stack's schema is applied");
    const stacks = await project.run(["stack", "ls", "--json"]);
    assert.match(stacks.stdout, /"name": "pr-4242"/);

    runJob("destroy");
    const gone = await server.pg.query("postgres", "SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    assert.equal(gone.length, 0, "the review database is dropped");
    const after = await project.run(["stack", "ls", "--json"]);
    assert.doesNotMatch(after.stdout, /pr-4242/);
  });
});
