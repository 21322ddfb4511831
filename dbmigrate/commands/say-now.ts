/** A line on stderr right now, for what cannot wait for the command's result (a second signal exits at once). */
import type { CommandContext } from "./context";

/** A writer of one redacted stderr line, sent at once (signals, progress that cannot wait). */
export function sayNow(ctx: CommandContext): (line: string) => void {
  return (line) => ctx.io.stderr(`dbmigrate: ${ctx.redactor.redact(line)}\n`);
}
