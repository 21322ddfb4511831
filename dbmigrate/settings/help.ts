/** The help, for people and as JSON, generated from the command registry and the settings catalog. */
import { COMMANDS, type CommandName } from "../commands/registry";
import { settingEntries, type SettingName } from "./catalog";
import type { Setting } from "./setting";

const ALL = Object.keys(COMMANDS) as CommandName[];

/** Settings every command takes (`--json`, `--verbose`, `--help`): said once, not per command. */
function everyCommand(setting: Setting): boolean {
  return ALL.every((c) => (setting.commands as readonly string[]).includes(c));
}

function settingsOf(command: CommandName): [SettingName, Setting][] {
  return settingEntries().filter(([, s]) => (s.commands as readonly string[]).includes(command));
}

function flagText(setting: Setting): string {
  return `--${setting.flag}${setting.valueName ? ` ${setting.valueName}` : ""}`;
}

function describe(setting: Setting): string {
  const extras = [
    setting.env ? `env ${setting.env}` : undefined,
    setting.default !== undefined && !Array.isArray(setting.default) ? `default ${String(setting.default)}` : undefined,
    setting.bounds ? `${setting.bounds.min} to ${setting.bounds.max}` : undefined,
  ].filter(Boolean);
  return `${setting.help}${extras.length > 0 ? ` (${extras.join("; ")})` : ""}`;
}

function usageOf(command: CommandName): string {
  const args = COMMANDS[command].args;
  return `dbmigrate ${command}${args ? ` ${args}` : ""} [options]`;
}

/** `dbmigrate --help`: every command with the flags it takes. */
export function overviewHelp(): string {
  const lines = [
    "Usage: dbmigrate <command> [options]   (`dbmigrate <command> --help` for one command)",
    "",
    "Commands:",
  ];
  for (const command of ALL) {
    const spec = COMMANDS[command];
    lines.push(`  ${`${command}${spec.args ? ` ${spec.args}` : ""}`.padEnd(22)} ${spec.summary}`);
    const flags = settingsOf(command)
      .filter(([, s]) => s.flag && !everyCommand(s))
      .map(([, s]) => `--${s.flag}`);
    if (flags.length > 0) lines.push(...wrap(`options: ${flags.join(" ")}`, 25, 118));
  }
  const common = settingEntries()
    .filter(([, s]) => s.flag && everyCommand(s))
    .map(([, s]) => `--${s.flag}`);
  lines.push("", `Every command: ${common.join(", ")}. A flag wins over its environment variable.`);
  return lines.join("\n");
}

/** `dbmigrate <command> --help`: its usage and each of its options. */
export function commandHelp(command: CommandName): string {
  const lines = [`Usage: ${usageOf(command)}`, "", COMMANDS[command].summary, "", "Options:"];
  const own = settingsOf(command);
  const width = Math.max(...own.filter(([, s]) => s.flag).map(([, s]) => flagText(s).length));
  for (const [, setting] of own) {
    if (setting.flag) lines.push(`  ${flagText(setting).padEnd(width)}  ${describe(setting)}`);
  }
  const envOnly = own.filter(([, s]) => !s.flag && s.env);
  for (const [, setting] of envOnly) lines.push(`  ${String(setting.env).padEnd(width)}  ${setting.help}`);
  return lines.join("\n");
}

/** The help as data (`--help --json`): the commands, and every setting with where it comes from. */
export function helpJson(command?: CommandName) {
  const commands = (command ? [command] : ALL).map((name) => ({
    name,
    usage: usageOf(name),
    summary: COMMANDS[name].summary,
    options: settingsOf(name)
      .filter(([, s]) => s.flag)
      .map(([, s]) => `--${s.flag}`),
  }));
  const settings = settingEntries()
    .filter(([, s]) => !command || (s.commands as readonly string[]).includes(command))
    .map(([name, s]) => ({
      name,
      flag: s.flag ? `--${s.flag}` : null,
      env: s.env ?? null,
      configKey: s.configKey ?? null,
      default: s.default ?? null,
      bounds: s.bounds ?? null,
      help: s.help,
      commands: s.commands,
    }));
  return { commands, settings };
}

function wrap(text: string, indent: number, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && indent + line.length + 1 + word.length > width) {
      lines.push(" ".repeat(indent) + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(" ".repeat(indent) + line);
  return lines;
}
