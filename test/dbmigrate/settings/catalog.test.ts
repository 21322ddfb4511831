/** The settings model: every flag, variable and config key derived from the one catalog; refused flags; bounds. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { COMMANDS, type CommandName } from "../../../dbmigrate/commands/registry";
import { UsageError } from "../../../dbmigrate/errors";
import { main } from "../../../dbmigrate/main";
import { BOUNDS, SETTINGS, settingEntries, type SettingName } from "../../../dbmigrate/settings/catalog";
import { readCommandLine } from "../../../dbmigrate/settings/command-line";
import type { Setting } from "../../../dbmigrate/settings/setting";
import { dsnWithDatabase, parseDsn } from "../../../dbmigrate/settings/dsn";
import { commandHelp, helpJson, overviewHelp } from "../../../dbmigrate/settings/help";
import { CONFIG_KEYS } from "../../../infra/config";

const ALL = Object.keys(COMMANDS) as CommandName[];
const takes = (name: SettingName, command: CommandName) =>
  (SETTINGS[name].commands as readonly string[]).includes(command);

/** A valid value for each setting the command line or the environment gives (a new setting needs one here). */
const SAMPLES: Partial<Record<SettingName, string>> = {
  databaseUrl: "postgresql://app:s3cret@db.example:26257/agoat?sslmode=require",
  databaseUrlSecret: "projects/p/secrets/db-url",
  caCertFile: "ca.crt",
  caCertSecret: "projects/p/secrets/ca/versions/2",
  secretManagerEmulatorHost: "localhost:8085",
  connectTimeoutMs: "5000",
  statementTimeoutMs: "60000",
  lockTimeoutMs: "1000",
  ddlLockTimeoutMs: "2000",
  lockLeaseMs: "30000",
  engine: "cockroachdb",
  customerName: "Acme",
  customerSlug: "acme",
  siteName: "Blog",
  siteSlug: "blog",
  siteHostname: "blog.example.com",
  migrationsDir: "db/migrations",
  completeSchemaFile: "db/complete.sql",
  output: "docs/schema.md",
  from: "origin/main",
  to: "db/migrations",
  format: "markdown",
  cockroachdbVersion: "24.1",
};

function argsFor(name: SettingName, value = SAMPLES[name]): string[] {
  const setting: Setting = SETTINGS[name];
  return setting.type === "boolean" ? [`--${setting.flag}`] : [`--${setting.flag}`, String(value)];
}

function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const line = readCommandLine(argv, env);
  assert.equal(line.kind, "run");
  return line;
}

function refused(work: () => unknown, message: RegExp): void {
  assert.throws(work, (error: unknown) => {
    assert.ok(error instanceof UsageError, String(error));
    assert.equal(error.exitCode, 2);
    assert.match(error.describe(), message);
    assert.doesNotMatch(error.describe(), /\n/);
    return true;
  });
}

describe("settings catalog", () => {
  it("has a sample for every setting a command takes by flag or variable", () => {
    for (const [name, setting] of settingEntries()) {
      if (setting.type === "string" && setting.commands.length > 0 && (setting.flag || setting.env))
        assert.ok(SAMPLES[name], `no sample for ${name}`);
    }
  });

  it("each command takes exactly its settings' flags, and refuses every other in one line (exit 2)", () => {
    for (const command of ALL) {
      for (const [name, setting] of settingEntries()) {
        if (!setting.flag || name === "help") continue;
        const argv = [command, ...(command === "resolve" ? ["0001"] : []), ...argsFor(name)];
        if (takes(name, command)) {
          const line = run(argv);
          assert.notEqual(line.settings[name], undefined, `${command} ${argv.join(" ")}`);
        } else {
          refused(
            () => readCommandLine(argv, {}),
            new RegExp(
              `^--${setting.flag} is not an option of \`dbmigrate ${command}\`\\. Run \`dbmigrate ${command} --help\``,
            ),
          );
        }
      }
    }
  });

  it("names an unknown command before any option it was given", () => {
    refused(() => readCommandLine(["frobnicate", "--force"], {}), /^unknown command 'frobnicate'\. Use one of: status/);
  });

  it("refuses the flags issue 19 found accepted silently", () => {
    refused(() => readCommandLine(["status", "--dry-run"], {}), /^--dry-run is not an option of `dbmigrate status`/);
    refused(() => readCommandLine(["up", "--applied"], {}), /^--applied is not an option of `dbmigrate up`/);
    // Commands that write offer --dry-run (and write nothing under it); the others refuse it.
    refused(() => readCommandLine(["lint", "--dry-run"], {}), /^--dry-run is not an option of `dbmigrate lint`/);
    refused(() => readCommandLine(["verify", "--dry-run"], {}), /^--dry-run is not an option of `dbmigrate verify`/);
  });

  it("refuses arguments a command takes none of, in one line that never echoes them (exit 2)", () => {
    for (const command of ALL.filter((name) => COMMANDS[name].args === "")) {
      refused(
        () => readCommandLine([command, "extra"], {}),
        new RegExp(`^\`dbmigrate ${command}\` takes no arguments`),
      );
    }
    const dsn = "postgresql://app:s3cret@db.example/agoat";
    assert.throws(
      () => readCommandLine(["verify", dsn], {}),
      (error: unknown) =>
        error instanceof UsageError && /--database-url/.test(error.describe()) && !error.describe().includes("s3cret"),
    );
    assert.deepEqual(run(["new", "add", "post", "tags"]).args, ["add", "post", "tags"]);
    assert.deepEqual(run(["lint", "a.sql", "b.sql"]).args, ["a.sql", "b.sql"]);
  });

  it("falls back to each setting's environment variable for the commands that take it; a flag wins", () => {
    for (const [name, setting] of settingEntries()) {
      if (!setting.env) continue;
      for (const command of ALL.filter((c) => takes(name, c))) {
        const fromEnv = run([command], { [setting.env]: SAMPLES[name] });
        assert.notEqual(fromEnv.settings[name], undefined, `${setting.env} for ${command}`);
        if (!setting.flag) continue;
        const other = name === "engine" ? "postgres" : name === "databaseUrl" ? "postgresql://u@h/other" : undefined;
        if (!other) continue;
        const both = run([command, `--${setting.flag}`, other], { [setting.env]: SAMPLES[name] });
        assert.equal(String(both.settings[name]), other);
      }
      // A command that does not take it ignores the variable (the environment is shared).
      for (const command of ALL.filter((c) => !takes(name, c)))
        assert.equal(run([command], { [setting.env]: "anything" }).settings[name], undefined);
    }
  });

  it("names the variable, not the flag, when a variable's value is refused", () => {
    refused(
      () => readCommandLine(["up"], { DBMIGRATE_ENGINE: "oracle" }),
      /^DBMIGRATE_ENGINE 'oracle' is not an engine/,
    );
    refused(
      () => readCommandLine(["up"], { DEFAULT_SITE_SLUG: "Main_Site" }),
      /^DEFAULT_SITE_SLUG 'Main_Site' must be/,
    );
  });

  it("enforces every numeric setting's bounds, inclusive", () => {
    for (const [name, bounds] of Object.entries(BOUNDS) as [keyof typeof BOUNDS, { min: number; max: number }][]) {
      const flag = `--${(SETTINGS[name] as Setting).flag}`;
      const command = ALL.find((c) => takes(name, c))!;
      assert.equal(run([command, flag, String(bounds.min)]).settings[name], bounds.min);
      assert.equal(run([command, flag, String(bounds.max)]).settings[name], bounds.max);
      for (const outside of [bounds.min - 1, bounds.max + 1].filter((v) => v > 0))
        refused(
          () => readCommandLine([command, flag, String(outside)], {}),
          new RegExp(
            `^${flag} ${outside} is out of range: it must be from ${bounds.min} to ${bounds.max} milliseconds`,
          ),
        );
      for (const bad of ["0", "1.5", "ten"])
        refused(
          () => readCommandLine([command, `${flag}=${bad}`], {}),
          new RegExp(`^${flag} '${bad}' is not a positive`),
        );
    }
  });

  it("derives the Pulumi config keys from the catalog", () => {
    const heads = new Set(
      settingEntries()
        .map(([, s]) => s.configKey)
        .filter((key): key is string => key !== undefined && !key.includes(":"))
        .map((key) => key.split(".")[0]),
    );
    assert.deepEqual([...CONFIG_KEYS].sort(), [...heads].sort());
  });

  it("generates the help: per command only the flags it takes", () => {
    const overview = overviewHelp();
    for (const command of ALL) {
      assert.match(overview, new RegExp(`^  ${command}\\b`, "m"));
      const own = commandHelp(command);
      for (const [name, setting] of settingEntries()) {
        if (!setting.flag) continue;
        assert.equal(own.includes(`--${setting.flag} `) || own.includes(`--${setting.flag}\n`), takes(name, command));
      }
    }
    const json = helpJson("status");
    assert.deepEqual(
      json.commands.map((c) => c.name),
      ["status"],
    );
    assert.ok(!json.commands[0].options.includes("--dry-run"));
  });

  it("parses the DSN once into a typed value that prints redacted", () => {
    const { settings } = run([
      "status",
      "--database-url",
      "postgresql://app:my secret%pass@db:26257/agoat?sslmode=require",
    ]);
    const dsn = settings.databaseUrl!;
    assert.equal(dsn.password, "my secret%pass");
    assert.equal(dsn.port, 26257);
    assert.equal(String(dsn), "postgresql://app:***@db:26257/agoat?sslmode=require");
    assert.doesNotMatch(JSON.stringify({ dsn }), /secret/);
    // Another database on the same server keeps the loosely written password as it was.
    const admin = dsnWithDatabase(dsn, "postgres");
    assert.equal(admin.text, "postgresql://app:my secret%pass@db:26257/postgres?sslmode=require");
    assert.deepEqual({ ...parseDsn(admin.text), text: "" }, { ...admin, text: "" });
    // An '@' in the query is not the host's: the database still changes.
    const tagged = dsnWithDatabase(parseDsn("postgresql://u:p@ss@h:5432/db?application_name=me@host"), "other");
    assert.equal(tagged.text, "postgresql://u:p@ss@h:5432/other?application_name=me@host");
    assert.equal(parseDsn(tagged.text).database, "other");
  });

  it("gives JSON for every invocation with --json: no command, a usage error, the help", async () => {
    const runMain = async (argv: string[]) => {
      let stdout = "";
      const code = await main(argv, { stdout: (t) => (stdout += t), stderr: () => undefined, env: {} });
      return { code, json: JSON.parse(stdout) };
    };
    const none = await runMain(["--json"]);
    assert.equal(none.code, 2);
    assert.equal(none.json.error.message, "no command given");
    const usage = await runMain(["status", "--dry-run", "--json"]);
    assert.equal(usage.code, 2);
    assert.match(usage.json.error.message, /^--dry-run is not an option/);
    const help = await runMain(["--help", "--json"]);
    assert.equal(help.code, 0);
    assert.ok(help.json.settings.some((s: { env: string }) => s.env === "DATABASE_URL"));
  });
});
