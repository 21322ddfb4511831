/** Draft migration files (no statement yet): listed, with a warning each, never applied. */
import { loadMigrationFolder } from "../migrations";
import { DEFAULT_MIGRATIONS_DIR } from "../settings/defaults";
import type { CommandContext } from "./context";

/** The drafts' file names, after one warning each on stderr. */
export async function draftsOf(ctx: CommandContext): Promise<string[]> {
  const { drafts } = await loadMigrationFolder(ctx.settings.migrationsDir ?? DEFAULT_MIGRATIONS_DIR);
  for (const draft of drafts) ctx.logger.warn(`${draft.file} has no statement yet: it is not applied until it has one`);
  return drafts.map((d) => d.file);
}
