/** `dbmigrate unlock [--force] [--dry-run]`: who holds the migration lock; with --force, break it. */
import type { CommandContext } from "./context";
import { migratorFor } from "./migrator";

/** Runs the command with `ctx`; resolves to its exit code (failures throw, main.ts reports them). */
export async function run(ctx: CommandContext): Promise<number> {
  const { force, dryRun } = ctx.settings;
  const result = await (await migratorFor(ctx)).unlock({ force, dryRun });
  const { holder } = result;
  if (ctx.json) {
    ctx.output.json({
      holder: holder && {
        owner: holder.owner,
        host: holder.host,
        pid: holder.pid,
        command: holder.command,
        acquiredAt: holder.acquiredAt.toISOString(),
        leaseExpiresAt: holder.leaseExpiresAt.toISOString(),
        expired: holder.expired,
      },
      broken: result.broken,
      dryRun: result.dryRun,
    });
  }
  if (!holder) {
    ctx.out("the migration lock is free");
    return 0;
  }
  const where = holder.host ? `host ${holder.host}, pid ${holder.pid}` : `owner ${holder.owner}`;
  const what = holder.command ? `\`dbmigrate ${holder.command}\`` : "a run";
  const lease = `${holder.expired ? "lease expired at" : "lease until"} ${holder.leaseExpiresAt.toISOString()}`;
  ctx.out(
    `lock held by ${what} on ${where}, since ${holder.acquiredAt.toISOString()} (${lease}; owner ${holder.owner})`,
  );
  if (result.broken)
    ctx.out(
      "broke it: a holder still alive stops after its current statement (a migration in one transaction is rolled back) and records nothing more",
    );
  else if (force) ctx.out("dry run: --force would break it; nothing written");
  else
    ctx.out(
      holder.expired
        ? "its lease has expired: the next run takes it over"
        : "if that process is gone (check the host and pid), `dbmigrate unlock --force` breaks the lock",
    );
  return 0;
}
