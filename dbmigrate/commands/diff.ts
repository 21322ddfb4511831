/**
 * `dbmigrate diff --from <git ref | folder> [--to <folder>] [--format text|markdown|json]`: what
 * a change of the migrations folder does to the schema, object by object. The base and the head
 * are applied to two throwaway databases of an embedded PostgreSQL (no server needed, nothing
 * downloaded) and their catalogs compared. Exit 0 whether or not the schema changes.
 */
import { UsageError } from "../errors";
import { DEFAULT_MIGRATIONS_DIR } from "../migrations";
import { schemaChange } from "../scratch/schema-change";
import { DIFF_FORMATS, renderDiff, type DiffFormat } from "../snapshot";
import type { CommandContext } from "./context";

/** Runs the command with `ctx`; resolves to its exit code (failures throw, main.ts reports them). */
export async function run(ctx: CommandContext): Promise<number> {
  const from = ctx.settings.from;
  if (!from) {
    throw new UsageError("diff needs --from: a folder of migrations or a git ref (e.g. --from origin/main)");
  }
  const format = (ctx.json ? "json" : (ctx.settings.format ?? "text")) as DiffFormat;
  if (!DIFF_FORMATS.includes(format)) {
    throw new UsageError(`'${format}' is not a diff format`, { hint: `Use one of: ${DIFF_FORMATS.join(", ")}` });
  }
  const to = ctx.settings.to ?? ctx.settings.migrationsDir ?? DEFAULT_MIGRATIONS_DIR;
  const result = await schemaChange({ from, to, logger: ctx.logger });
  const files = result.files;
  ctx.logger.info(
    `${result.from} -> ${to}: ${files.added.length} file(s) added, ${files.edited.length} edited, ${files.removed.length} removed; ${result.diff.changes.length} schema change(s)`,
  );
  if (format === "json") {
    ctx.output.json({
      from: result.from,
      to,
      files: { added: files.added.map((m) => m.file), edited: files.edited, removed: files.removed },
      ...result.diff,
    });
  } else {
    ctx.out(renderDiff(result.diff, result.head, format));
  }
  return 0;
}
