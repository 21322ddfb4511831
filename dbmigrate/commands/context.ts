/** What a command's handler gets, and what it returns: the exit code. */
import type { Logger } from "../clock";
import type { Output } from "../output";
import type { Redactor } from "../redact";
import type { SettingValues } from "../settings/catalog";
import type { CommandName } from "./registry";

/** Where the CLI reads and writes; injected so tests and scripts run it in-process. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

/** One run of one command. */
export interface CommandContext {
  readonly command: CommandName;
  /** Positional arguments after the command. */
  readonly args: string[];
  /** The settings given for this command (flags, then the environment), checked and typed. */
  readonly settings: SettingValues;
  readonly io: CliIo;
  readonly output: Output;
  readonly redactor: Redactor;
  /** Progress and warnings on stderr. */
  readonly logger: Logger;
  /** Whether the result goes to stdout as JSON. */
  readonly json: boolean;
  /** One result line on stdout; muted with `--json` (the JSON object is the result). */
  out(text: string): void;
}

/** A command: resolves to its exit code (0 done, 1 a problem found or the operation failed). */
export type CommandHandler = (ctx: CommandContext) => Promise<number>;
