/** `dbmigrate resolve <version> --applied|--rolled-back`: clear a dirty migration after a person checked it. */
import { UsageError } from "../errors";
import { pad } from "../migrations";
import type { CommandContext } from "./context";
import { migratorFor } from "./migrator";

/** Runs the command with `ctx`; resolves to its exit code (failures throw, main.ts reports them). */
export async function run(ctx: CommandContext): Promise<number> {
  const [version] = ctx.args;
  if (!version || !/^\d{1,4}$/.test(version))
    throw new UsageError("resolve needs the version of the dirty migration, e.g. `dbmigrate resolve 0002 --applied`");
  const { applied, rolledBack } = ctx.settings;
  if (Boolean(applied) === Boolean(rolledBack)) {
    throw new UsageError(
      "resolve needs exactly one of --applied (every statement took effect) or --rolled-back (none did)",
    );
  }
  const resolution = applied ? "applied" : "rolled-back";
  const dryRun = ctx.settings.dryRun ?? false;
  await (await migratorFor(ctx)).resolve(Number(version), resolution, { dryRun });
  if (ctx.json) ctx.output.json({ version: Number(version), resolution, ...(dryRun ? { dryRun } : {}) });
  ctx.out(
    dryRun
      ? `dry run: migration ${pad(Number(version))} would be resolved`
      : `migration ${pad(Number(version))} resolved`,
  );
  return 0;
}
