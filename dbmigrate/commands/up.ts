/** `dbmigrate up [--dry-run]`: apply pending migrations, then seed the default tenant. */
import type { CommandContext } from "./context";
import { migratorFor } from "./migrator";
import { sayNow } from "./say-now";
import { printUpResult } from "./up-result";
import { stopOnSignals } from "../signals";

/** Runs the command with `ctx`; resolves to its exit code (failures throw, main.ts reports them). */
export async function run(ctx: CommandContext): Promise<number> {
  const engine = await migratorFor(ctx);
  const dryRun = ctx.settings.dryRun;
  printUpResult(ctx, await stopOnSignals(sayNow(ctx), (signal) => engine.up({ dryRun, signal })));
  return 0;
}
