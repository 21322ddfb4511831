/**
 * `dbmigrate teardown (--dry-run | --force)`: what `pulumi destroy` does with `teardown: drop`
 * (ADR 0006), by hand: every object of the engine's schema, under the migration lock.
 */
import { UsageError } from "../errors";
import { teardownSummary } from "../teardown";
import type { CommandContext } from "./context";
import { migratorFor } from "./migrator";
import { sayNow } from "./say-now";
import { stopOnSignals } from "../signals";

export async function run(ctx: CommandContext): Promise<number> {
  const { force, dryRun } = ctx.settings;
  // Everything in the schema goes, data included: a bare `teardown` must not be one keystroke from that.
  if (!force && !dryRun) {
    throw new UsageError("teardown drops every object of the schema and its data: nothing was dropped", {
      hint: "Run `dbmigrate teardown --dry-run` to see what it would drop, then `dbmigrate teardown --force`",
    });
  }
  const engine = await migratorFor(ctx);
  // A signal stops the wait for the lock; once the drops run, they finish (one transaction on PostgreSQL).
  const result = await stopOnSignals(sayNow(ctx), (signal) => engine.teardown({ dryRun, signal }));
  if (ctx.json) ctx.output.json({ ...result });
  ctx.out(teardownSummary(result));
  return 0;
}
