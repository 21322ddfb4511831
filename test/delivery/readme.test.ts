/**
 * Every command the README shows exists: each `npm run X` is a script, each `dbmigrate X` a
 * command of the CLI, each flag an option it accepts, each `pulumi X` a command the end-to-end
 * tests run with the real CLI. (The commands themselves run in the tests next to their code.)
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { CONFIG_KEYS } from "../../infra/config";
import { runCli } from "../support/cli";

const readme = readFileSync("README.md", "utf8");
const commands = [...readme.matchAll(/```bash\n([\s\S]*?)```/g)]
  .flatMap((m) => m[1].split("\n"))
  .map((l) => l.replace(/\s+#.*$/, "").trim())
  .filter(Boolean);

describe("README commands", () => {
  it("names only npm scripts that exist", () => {
    const scripts = Object.keys(JSON.parse(readFileSync("package.json", "utf8")).scripts);
    const used = commands.flatMap((c) => [...c.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]));
    assert.ok(used.includes("local") && used.includes("bench"));
    for (const script of used) assert.ok(scripts.includes(script), `npm run ${script}`);
    assert.ok(commands.includes("npm test") && commands.some((c) => c.startsWith("npm ci")));
  });

  it("names only dbmigrate commands and flags the CLI accepts", async () => {
    const help = (await runCli(["--help"])).stdout;
    const used = commands.filter((c) => c.startsWith("npx dbmigrate "));
    assert.ok(used.length >= 8);
    for (const command of used) {
      assert.match(help, new RegExp(`^  ${command.split(/\s+/)[2]}\\b`, "m"), command);
      for (const flag of command.match(/--[a-z-]+/g) ?? []) assert.ok(help.includes(flag), `${command}: ${flag}`);
    }
  });

  it("runs `npx dbmigrate` from the package's bin, with nothing fetched", () => {
    const run = spawnSync("npx", ["--no", "--", "dbmigrate", "--help"], { encoding: "utf8", timeout: 60_000 });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^Usage: dbmigrate <command> \[options\]/);
  });

  it("names only pulumi commands that the end-to-end tests run with the real CLI", () => {
    // What test/e2e/ runs: its own `run(["preview", ...])` calls and the review workflow's commands.
    const e2e = [
      ...readdirSync("test/e2e").map((file) => readFileSync(`test/e2e/${file}`, "utf8")),
      readFileSync(".github/workflows/review-stack.yml", "utf8"),
    ].join("\n");
    const used = commands.filter((c) => c.startsWith("pulumi "));
    assert.ok(used.length >= 7, "the README shows the pulumi commands a user runs");
    for (const command of used) {
      const words = command.split(/\s+/).slice(1);
      const sub = ["stack", "config"].includes(words[0]) ? words.slice(0, 2) : words.slice(0, 1);
      const pattern = new RegExp(sub.map((w) => `"${w}"`).join(",\\s*") + "|pulumi " + sub.join(" "));
      assert.match(e2e, pattern, `${command}: no end-to-end test runs it`);
    }
  });

  it("documents every config key the program reads (the keys derived from the settings catalog)", () => {
    assert.ok(CONFIG_KEYS.length >= 9, CONFIG_KEYS.join(", "));
    for (const key of CONFIG_KEYS) assert.match(readme, new RegExp(`\\| \`${key}\` +\\|`), key);
  });
});
