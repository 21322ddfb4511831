/** `dbmigrate lint [files...]`: exit 1 when a finding is an unwaived error. */
import { lintFiles, migrationPaths } from "../lint/files";
import { renderReport } from "../lint/report";
import { DEFAULT_MIGRATIONS_DIR } from "../settings/defaults";
import type { CommandContext } from "./context";

/** Runs the command with `ctx`; resolves to its exit code (failures throw, main.ts reports them). */
export async function run(ctx: CommandContext): Promise<number> {
  const format = ctx.json ? "json" : (ctx.settings.format ?? "text");
  const files =
    ctx.args.length > 0 ? ctx.args : await migrationPaths(ctx.settings.migrationsDir ?? DEFAULT_MIGRATIONS_DIR);
  const report = await lintFiles(files, {
    cockroachdb: {
      version: ctx.settings.cockroachdbVersion,
      require: ctx.settings.requireCockroachdbGrammar === true,
    },
  });
  // The report is the result in every format (with --json it is the JSON): never muted.
  ctx.output.line(renderReport(report, format));
  return report.errors > 0 ? 1 : 0;
}
