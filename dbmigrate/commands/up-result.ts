/** What `up` and `apply-complete` print: the JSON result, or one line per applied migration and seed change. */
import { pad } from "../migrations";
import type { UpResult } from "../reports";
import { describeSeedChange, type SeedChange, type SeedResult } from "../../product";
import type { CommandContext } from "./context";

/** Prints an `up` or `apply-complete` result: one JSON object with --json, else one line per migration and seed change. */
export function printUpResult(ctx: CommandContext, result: UpResult<SeedResult, SeedChange>): void {
  if (ctx.json) {
    ctx.output.json(result);
    return;
  }
  if (result.dryRun) {
    ctx.out(
      result.pending.length === 0
        ? "dry run: nothing to apply"
        : `dry run: ${result.pending.length} migration(s) would be applied:`,
    );
    for (const m of result.pending) ctx.out(`  ${m.file}  ${m.checksum.slice(0, 12)}`);
    for (const change of result.seedChanges) ctx.out(`seed would change: ${describeSeedChange(change)}`);
    return;
  }
  for (const m of result.applied)
    ctx.out(
      `${m.outcome} ${m.file} (${m.durationMs} ms)${m.resumedAt > 1 ? `, resumed at statement ${m.resumedAt}` : ""}`,
    );
  for (const m of result.migrations.filter((e) => e.state === "waiting")) ctx.out(`waiting ${m.file}: ${m.waitingFor}`);
  for (const change of result.seedChanges) ctx.out(`seed changed: ${describeSeedChange(change)}`);
  ctx.out(
    result.seed
      ? `schema version ${pad(result.schemaVersion)}; default customer ${result.seed.customerId}, site ${result.seed.siteId}`
      : `schema version ${pad(result.schemaVersion)}`,
  );
}
