/** `dbmigrate apply-complete`: the complete schema on a fresh database (a baseline), then the seed. */
import type { CommandContext } from "./context";
import { migratorFor } from "./migrator";
import { printUpResult } from "./up-result";

/** Runs the command with `ctx`; resolves to its exit code (failures throw, main.ts reports them). */
export async function run(ctx: CommandContext): Promise<number> {
  printUpResult(ctx, await (await migratorFor(ctx)).applyComplete());
  return 0;
}
