/** `dbmigrate up [--dry-run]`: apply pending migrations, then seed the default tenant. */
import type { CommandContext } from "./context";
import { draftsOf } from "./drafts";
import { migratorFor } from "./migrator";
import { printUpResult } from "./up-result";

/** Runs the command with `ctx`; resolves to its exit code (failures throw, main.ts reports them). */
export async function run(ctx: CommandContext): Promise<number> {
  const engine = await migratorFor(ctx);
  await draftsOf(ctx);
  printUpResult(ctx, await engine.up({ dryRun: ctx.settings.dryRun }));
  return 0;
}
