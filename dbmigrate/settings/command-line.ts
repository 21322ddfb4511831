/**
 * The command line, read against the settings catalog: which command, its arguments, and the
 * settings it was given (a flag wins over the environment), each checked by its schema. A flag
 * the command does not take is refused; an environment variable it does not take is ignored (the
 * environment is shared by every command).
 */
import { parseArgs } from "node:util";
import { messageOf, UsageError } from "../errors";
import { COMMANDS, isCommand, type CommandName } from "../commands/registry";
import { SETTINGS, settingEntries, type SettingName, type SettingValues } from "./catalog";
import { issueDetails, type Setting } from "./setting";

/** What the command line asks for. */
export type CommandLine =
  | { kind: "help"; command?: CommandName; json: boolean }
  /** No command: the help, and exit 2 (with `--json`, a usage error as JSON). */
  | { kind: "none"; json: boolean }
  | { kind: "run"; command: CommandName; args: string[]; settings: SettingValues; json: boolean; verbose: boolean };

type ParseArgsOptions = Record<string, { type: "string" | "boolean"; short?: string }>;

/** parseArgs' option table, from every setting that has a flag. */
function flagOptions(): ParseArgsOptions {
  const options: ParseArgsOptions = {};
  for (const [, setting] of settingEntries()) {
    if (setting.flag)
      options[setting.flag] = { type: setting.type, ...(setting.short ? { short: setting.short } : {}) };
  }
  return options;
}

const USAGE_HINT = "Run `dbmigrate --help` for the options";

/** The error `dbmigrate` with no command is. */
export function noCommand(): UsageError {
  return new UsageError("no command given", { hint: `Use one of: ${Object.keys(COMMANDS).join(", ")}` });
}

/** Reads `argv` (without the program) with `env` as the fallback of settings that have a variable. */
export function readCommandLine(argv: string[], env: NodeJS.ProcessEnv): CommandLine {
  const parsed = parseFlags(argv);
  const [first, ...args] = parsed.positionals;
  const json = parsed.values.json === true;
  const verbose = parsed.values.verbose === true;
  if (first === undefined || first === "help") {
    if (parsed.values.help || first === "help") return { kind: "help", command: helpTopic(args[0]), json };
    return { kind: "none", json };
  }
  const command = commandNamed(first);
  if (args.length > 0 && COMMANDS[command].args === "") throw argumentsNotTaken(command, args);
  for (const token of parsed.tokens) {
    if (token.kind !== "option") continue;
    const setting = flagSetting(token.name);
    if (!(setting.commands as readonly string[]).includes(command)) throw notTaken(`--${token.name}`, command);
  }
  if (parsed.values.help) return { kind: "help", command, json };
  const settings: SettingValues = {};
  for (const [name, setting] of settingEntries()) {
    if (!(setting.commands as readonly string[]).includes(command)) continue;
    const flagValue = setting.flag ? parsed.values[setting.flag] : undefined;
    const fromEnv = flagValue === undefined && setting.env ? env[setting.env] : undefined;
    // An empty variable counts as unset (`DBMIGRATE_ENGINE= dbmigrate up`).
    const raw = flagValue ?? (fromEnv === "" ? undefined : fromEnv);
    if (raw === undefined) continue;
    const label = flagValue !== undefined ? `--${setting.flag}` : String(setting.env);
    (settings as Record<string, unknown>)[name] = checkValue(name, raw, label);
  }
  return { kind: "run", command, args, settings, json, verbose };
}

/** `value` checked by setting `name`'s schema, or a one-line usage error naming `label`. */
export function checkValue(name: SettingName, value: unknown, label: string): unknown {
  const setting: Setting = SETTINGS[name];
  const result = setting.schema.safeParse(value);
  if (result.success) return result.data;
  const { message, hint, error } = issueDetails(result.error.issues[0]);
  // A DSN error already says what is wrong and what to do, without echoing the DSN.
  if (error) throw error;
  throw new UsageError(`${label} ${message}`, { hint: hint ?? setting.hint });
}

function parseFlags(argv: string[]) {
  // The command first: `unlock --force` on a dbmigrate without unlock is an unknown command, not
  // an unknown option.
  const loose = parseArgs({ args: argv, options: flagOptions(), allowPositionals: true, strict: false });
  const first = loose.positionals[0];
  if (first !== undefined && first !== "help") commandNamed(first);
  try {
    return parseArgs({ args: argv, options: flagOptions(), allowPositionals: true, strict: true, tokens: true });
  } catch (error) {
    const message = messageOf(error);
    const ambiguous = /^Option '(--[a-z-]+)[^']*' argument is ambiguous/.exec(message);
    if (ambiguous) {
      throw new UsageError(`${ambiguous[1]} needs a value, and the next argument starts with '-'`, {
        hint: `A value that starts with '-' must be given as ${ambiguous[1]}=VALUE`,
      });
    }
    const missing = /^Option '(--[a-z-]+)[^']*' argument missing/.exec(message);
    if (missing) throw new UsageError(`${missing[1]} needs a value`, { hint: USAGE_HINT });
    // parseArgs goes on about `--` and positionals: its first sentence says what is wrong.
    throw new UsageError(message.split(/\.(\s|$)/)[0], { hint: USAGE_HINT });
  }
}

function flagSetting(flag: string): Setting {
  const found = settingEntries().find(([, s]) => s.flag === flag || s.short === flag);
  if (!found) throw new UsageError(`unknown option '--${flag}'`, { hint: USAGE_HINT });
  return found[1];
}

function notTaken(flag: string, command: CommandName): UsageError {
  return new UsageError(`${flag} is not an option of \`dbmigrate ${command}\``, {
    hint: `Run \`dbmigrate ${command} --help\` for its options`,
  });
}

/** `dbmigrate status extra`: refused, never echoing what was given (a DSN typed without its flag, say). */
function argumentsNotTaken(command: CommandName, args: string[]): UsageError {
  const looksLikeDsn = args.some((arg) => arg.includes("://") || arg.includes("@"));
  return new UsageError(`\`dbmigrate ${command}\` takes no arguments (got ${args.length})`, {
    hint: looksLikeDsn
      ? `Pass a database URL as --database-url URL (or set DATABASE_URL), e.g. \`dbmigrate ${command} --database-url ...\``
      : `Run \`dbmigrate ${command} --help\` for its options`,
  });
}

function helpTopic(name: string | undefined): CommandName | undefined {
  return name === undefined ? undefined : commandNamed(name);
}

/** The command `name`, or a usage error that never echoes a DSN typed where the command goes. */
function commandNamed(name: string): CommandName {
  if (isCommand(name)) return name;
  if (name.includes("://") || name.includes("@")) {
    throw new UsageError("the first argument looks like a database URL, not a command", {
      hint: "Pass the URL as --database-url URL (or set DATABASE_URL) after the command, e.g. `dbmigrate status --database-url ...`",
    });
  }
  const shown = name.length > 40 ? `${name.slice(0, 40)}...` : name;
  throw new UsageError(`unknown command '${shown}'`, { hint: `Use one of: ${Object.keys(COMMANDS).join(", ")}` });
}
