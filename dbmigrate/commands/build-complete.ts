/** `dbmigrate build-complete [--check]`: regenerate (or check) the complete schema from the migrations. */
import { promises as fs } from "node:fs";
import { renderCompleteSchema } from "../complete-schema";
import { loadMigrations } from "../migrations";
import { DEFAULT_COMPLETE_SCHEMA_FILE, DEFAULT_MIGRATIONS_DIR } from "../settings/defaults";
import type { CommandContext } from "./context";
import { writeOutputFile } from "./output-file";

/** Runs the command with `ctx`; resolves to its exit code (failures throw, main.ts reports them). */
export async function run(ctx: CommandContext): Promise<number> {
  const migrations = await loadMigrations(ctx.settings.migrationsDir ?? DEFAULT_MIGRATIONS_DIR);
  const target = ctx.settings.completeSchemaFile ?? DEFAULT_COMPLETE_SCHEMA_FILE;
  const text = renderCompleteSchema(migrations);
  const report = (upToDate: boolean, written: boolean) =>
    ctx.json && ctx.output.json({ file: target, migrations: migrations.length, upToDate, written });
  if (ctx.settings.check) {
    const current = await fs.readFile(target, "utf8").catch(() => "");
    const upToDate = current === text;
    report(upToDate, false);
    ctx.out(
      upToDate
        ? `${target} is up to date with ${migrations.length} migration(s)`
        : `${target} is stale: run \`dbmigrate build-complete\` and commit it`,
    );
    return upToDate ? 0 : 1;
  }
  if (ctx.settings.dryRun) {
    const upToDate = (await fs.readFile(target, "utf8").catch(() => "")) === text;
    report(upToDate, false);
    ctx.out(`dry run: would ${upToDate ? "leave" : "write"} ${target} from ${migrations.length} migration(s)`);
    return 0;
  }
  await writeOutputFile(target, text, "--complete-schema");
  report(true, true);
  ctx.out(`wrote ${target} from ${migrations.length} migration(s)`);
  return 0;
}
