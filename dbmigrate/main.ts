/**
 * `dbmigrate`: reads the command line against the settings catalog, loads the one command asked
 * for (commands/registry.ts) and runs it. Results go to stdout (one JSON object with --json, on
 * failure too), progress and errors to stderr, every line through the redactor. Exit codes: 0
 * success, 1 a problem found or the operation failed, 2 a usage error.
 */
import { COMMANDS } from "./commands/registry";
import type { CliIo, CommandContext } from "./commands/context";
import { createOutput, processSinks } from "./output";
import { guardStreams, Redactor } from "./redact";
import { noCommand, readCommandLine } from "./settings/command-line";
import { commandHelp, helpJson, overviewHelp } from "./settings/help";

export type { CliIo } from "./commands/context";

/** Runs the CLI; resolves to the exit code. `io` runs it in-process (tests, scripts). */
export async function main(argv: string[], io?: CliIo): Promise<number> {
  if (io) return run(argv, io, new Redactor());
  // As a process: stdout and stderr themselves go behind the redactor for the rest of its life
  // (a library's late print included), and Node's multi-line process warnings (google-auth's
  // metadata lookup, say) become one redacted line, shown with --verbose only.
  const redactor = new Redactor();
  guardStreams(redactor);
  process.removeAllListeners("warning");
  const verbose = argv.includes("--verbose");
  process.on("warning", (warning) => verbose && process.stderr.write(`warning: ${warning.name}: ${warning.message}\n`));
  // A full disk or a closed pipe behind stdout: one line (or, for a reader that left, nothing), never a stack.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE")
      process.stderr.write(`dbmigrate: cannot write the result to stdout: ${describeWriteError(error)}\n`);
    process.exit(1);
  });
  return run(argv, { ...processSinks, env: process.env }, redactor);
}

function describeWriteError(error: NodeJS.ErrnoException): string {
  if (error.code === "ENOSPC") return "no space left on the device (ENOSPC). Free space or send the output elsewhere";
  return `${error.message}. Check where stdout goes`;
}

async function run(argv: string[], io: CliIo, redactor: Redactor): Promise<number> {
  const output = createOutput("dbmigrate", io, redactor);
  // Before parsing, so a usage error is reported in the form asked for too.
  let json = argv.includes("--json");
  let verbose = argv.includes("--verbose");
  try {
    const line = readCommandLine(argv, io.env);
    json = line.json;
    if (line.kind === "none") {
      if (json) return output.fail(noCommand(), { json });
      io.stdout(overviewHelp() + "\n");
      return 2;
    }
    if (line.kind === "help") {
      if (json) output.json(helpJson(line.command));
      else io.stdout((line.command ? commandHelp(line.command) : overviewHelp()) + "\n");
      return 0;
    }
    verbose = line.verbose;
    const { run: handler } = await COMMANDS[line.command].load();
    const ctx: CommandContext = {
      command: line.command,
      args: line.args,
      settings: line.settings,
      io,
      output,
      redactor: output.redactor,
      logger: output.logger,
      json,
      out: json ? () => undefined : output.line,
    };
    return await handler(ctx);
  } catch (error) {
    return output.fail(error, { json, verbose });
  }
}
