/**
 * Bad stack config under the real engine: `pulumi preview` fails with one line naming the key,
 * exits non-zero, and never reaches the database.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { NS, newStack, sessionsOf, tablesOf, useE2eServer } from "../support/e2e-stack";
import { must } from "../support/pulumi-cli";

const server = useE2eServer();

/** The `error:` lines of a run's diagnostics. */
function errorLines(out: string): string[] {
  return out.split("\n").filter((line) => /^\s*error: /.test(line));
}

const cases: { name: string; key: string; value: string; secret?: boolean; expected: RegExp }[] = [
  { name: "an unknown teardown value", key: "teardown", value: "sometimes", expected: /agoat-database:teardown/ },
  {
    name: "a malformed DSN",
    key: "databaseUrl",
    value: "postgresql://postgres:S3cret-e2e@/agoat",
    secret: true,
    expected: /agoat-database:databaseUrl is not a valid DSN/,
  },
  { name: "a CA that is not PEM", key: "caCert", value: "not a certificate", expected: /agoat-database:caCert/ },
  {
    name: "a default site slug with spaces",
    key: "defaultSite.slug",
    value: "main site",
    expected: /agoat-database:defaultSite\.slug/,
  },
];

describe("bad stack config fails pulumi preview in one line", () => {
  for (const c of cases) {
    it(c.name, async () => {
      const { project, stack, database } = await newStack(server);
      const args = ["config", "set", "--stack", stack, ...(c.secret ? ["--secret"] : []), `${NS}:${c.key}`];
      if (c.key.includes(".")) args.push("--path");
      await must(project.run(c.secret ? args : [...args, "--", c.value], c.secret ? { stdin: c.value } : {}));
      const sessions = await sessionsOf(server, database);
      const preview = await project.run(["preview", "--stack", stack]);
      assert.notEqual(preview.code, 0, preview.out);
      const errors = errorLines(preview.out);
      assert.equal(errors.length, 1, `expected one error line:\n${preview.out}`);
      assert.match(errors[0], c.expected);
      assert.ok(!preview.out.includes("S3cret-e2e"), "the output holds the password");
      assert.equal(await sessionsOf(server, database), sessions, "the preview opened a session on the database");
      assert.deepEqual(await tablesOf(server, database), []);
    });
  }
});
