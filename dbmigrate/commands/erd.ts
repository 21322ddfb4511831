/** `dbmigrate erd [--output FILE]`: the entity-relationship diagram (Mermaid) from the live catalog. */
import { assertSchemaPresent, renderErdPage } from "../erd";
import type { CommandContext } from "./context";
import { migratorFor } from "./migrator";
import { assertWritableFolder, writeOutputFile } from "./output-file";

/** Runs the command with `ctx`; resolves to its exit code (failures throw, main.ts reports them). */
export async function run(ctx: CommandContext): Promise<number> {
  const target = ctx.settings.output;
  // Checked before connecting: a typo in the path must not cost a connection.
  if (target) await assertWritableFolder(target, "--output");
  const page = await (
    await migratorFor(ctx)
  ).withConnection(async (client) => {
    await assertSchemaPresent(client);
    return renderErdPage(client);
  });
  if (target) {
    await writeOutputFile(target, page, "--output");
    if (ctx.json) ctx.output.json({ file: target, written: true });
    ctx.out(`wrote ${target}`);
  } else if (ctx.json) ctx.output.json({ markdown: page });
  else ctx.out(page.trimEnd());
  return 0;
}
