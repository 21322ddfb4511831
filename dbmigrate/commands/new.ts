/** `dbmigrate new <name>`: write the next-numbered migration file from the template. */
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { UsageError } from "../errors";
import { migrationTemplate } from "../migration-template";
import { loadMigrationFolder, MAX_VERSION, MIGRATION_FILE_PATTERN, pad } from "../migrations";
import { DEFAULT_MIGRATIONS_DIR } from "../settings/defaults";
import type { CommandContext } from "./context";

/** Runs the command with `ctx`; resolves to its exit code (failures throw, main.ts reports them). */
export async function run(ctx: CommandContext): Promise<number> {
  const raw = ctx.args.join("_");
  const name = raw.toLowerCase().replace(/[\s-]+/g, "_");
  if (!name || !MIGRATION_FILE_PATTERN.test(`0001_${name}.sql`)) {
    throw new UsageError(`'${raw}' is not a migration name`, {
      hint: "Use lower-case words, e.g. `dbmigrate new add_post_tags`",
    });
  }
  const dir = ctx.settings.migrationsDir ?? DEFAULT_MIGRATIONS_DIR;
  const { migrations, drafts } = await loadMigrationFolder(dir);
  const next = Math.max(0, ...migrations.map((m) => m.version), ...drafts.map((d) => d.version)) + 1;
  if (next > MAX_VERSION) {
    throw new UsageError(`no migration number left in ${dir}: ${pad(MAX_VERSION)} is the last four-digit version`, {
      hint: "Fold the history into a new baseline (schema/complete-schema.sql, `dbmigrate apply-complete`) and renumber from 0001",
    });
  }
  const file = `${pad(next)}_${name}.sql`;
  const target = path.join(dir, file);
  const dryRun = ctx.settings.dryRun ?? false;
  if (!dryRun) await fs.writeFile(target, migrationTemplate(file.replace(/\.sql$/, "")), { flag: "wx" });
  if (ctx.json) ctx.output.json({ file: target, version: next, name, ...(dryRun ? { dryRun } : {}) });
  ctx.out(dryRun ? `dry run: would write ${target}` : target);
  return 0;
}
