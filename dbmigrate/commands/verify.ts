/** `dbmigrate verify`: exit 1 when an applied migration changed, is missing or is dirty. */
import type { CommandContext } from "./context";
import { migratorFor } from "./migrator";

/** Runs the command with `ctx`; resolves to its exit code (failures throw, main.ts reports them). */
export async function run(ctx: CommandContext): Promise<number> {
  const problems = await (await migratorFor(ctx)).verify();
  if (ctx.json) ctx.output.json({ ok: problems.length === 0, problems });
  else if (problems.length === 0)
    ctx.out("verify: every applied migration matches its file and the schema matches the recorded snapshot");
  else for (const problem of problems) ctx.out(`problem: ${problem}`);
  return problems.length === 0 ? 0 : 1;
}
