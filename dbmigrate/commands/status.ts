/** `dbmigrate status`: each migration's state, the server, the default tenant, who holds the lock. */
import { HISTORY_TABLE } from "../engine-schema";
import { describeHolder } from "../lock";
import { draftLine } from "../migrations";
import type { PlanEntry } from "../plan";
import type { StatusReport as EngineStatus } from "../reports";
import { describeSeedChange, type SeedChange, type SeedStatus } from "../../product";
import { driftLines } from "../snapshot";
import type { CommandContext } from "./context";

type StatusReport = EngineStatus<SeedStatus, SeedChange>;
import { migratorFor } from "./migrator";

/** Runs the command with `ctx`; resolves to its exit code (failures throw, main.ts reports them). */
export async function run(ctx: CommandContext): Promise<number> {
  const report = await (await migratorFor(ctx)).status();
  const { drafts } = report;
  for (const file of drafts) ctx.logger.warn(draftLine(file));
  // Exit 1 when something needs a person (documented: "a problem found"), schema drift included.
  const code = report.problems.length > 0 || report.schema.changes.length > 0 ? 1 : 0;
  if (ctx.json) {
    ctx.output.json(statusJson(report));
    return code;
  }
  ctx.out(`engine: ${report.engine} (${report.serverVersion}; features from ${activeVersionLabel(report)})`);
  ctx.out(
    `history: ${report.historySchema}.${HISTORY_TABLE}${report.historyExists ? "" : " (created by the first up)"}`,
  );
  const width = Math.max(0, ...report.migrations.map((m) => m.file.length), ...drafts.map((f) => f.length));
  for (const m of report.migrations) {
    const when = m.appliedAt ? `  ${m.appliedAt.toISOString()}` : "";
    ctx.out(`  ${m.file.padEnd(width)}  ${m.state.padEnd(12)}${when}${entryNote(m, report)}`);
  }
  for (const file of drafts) ctx.out(`  ${file.padEnd(width)}  ${"draft".padEnd(12)}  (no statement yet: not applied)`);
  ctx.out(`pending: ${report.pending}`);
  for (const line of report.skipped) ctx.out(line);
  if (report.seed) {
    ctx.out(
      `seed: customer ${report.seed.customerId ? "present" : "missing"}, site ${report.seed.siteId ? "present" : "missing"}`,
    );
  }
  for (const change of report.seedChanges) ctx.out(`seed would change: ${describeSeedChange(change)}`);
  if (report.lock) ctx.out(`lock: held by ${describeHolder(report.lock)}`);
  ctx.out(
    report.schema.recordedHash === null
      ? "schema: no snapshot recorded yet (the next `up` that applies something records one)"
      : `schema: ${report.schema.changes.length === 0 ? "matches" : `${report.schema.changes.length} object(s) differ from`} the snapshot recorded ${report.schema.recordedAt}`,
  );
  for (const problem of report.problems) ctx.logger.warn(problem);
  for (const line of driftLines(report.schema.changes)) ctx.logger.warn(line);
  return code;
}

function activeVersionLabel(report: StatusReport): string {
  return /^\d+$/.test(report.activeVersion)
    ? `server_version_num ${report.activeVersion}`
    : `cluster version ${report.activeVersion}`;
}

/** `waiting for ...`, `dirty at statement k of n (file:line): error`, `in progress by ...`. */
function entryNote(m: PlanEntry, report: StatusReport): string {
  if (m.state === "waiting") return `  (waiting: ${m.waitingFor})`;
  const p = m.progress;
  if (m.state !== "dirty" || !p || p.statementsTotal === null) return "";
  const k = p.failedStatement ?? p.statementsDone + 1;
  const running = report.lock && !report.lock.expired && report.lock.owner === p.runner;
  if (running) return `  (in progress by ${p.runner}: ${p.statementsDone} of ${p.statementsTotal} statements done)`;
  const line = p.failedLine ?? m.file;
  const at = `dirty at statement ${k} of ${p.statementsTotal} (${m.file}:${line})`;
  const what = p.lastError ?? "interrupted";
  const next = p.resumeAt !== null ? "; `dbmigrate up` resumes there" : "; outcome unknown, see below";
  return `  (${at}: ${what}${next})`;
}

/** The `status --json` object. */
export function statusJson(report: StatusReport) {
  return {
    engine: report.engine,
    serverVersion: report.serverVersion,
    activeVersion: report.activeVersion,
    historySchema: report.historySchema,
    historyExists: report.historyExists,
    migrations: report.migrations.map((m) => ({
      version: m.version,
      name: m.name,
      file: m.file,
      checksum: m.checksum,
      state: m.state,
      appliedAt: m.appliedAt ? m.appliedAt.toISOString() : null,
      ...(m.waitingFor ? { waitingFor: m.waitingFor } : {}),
      ...(m.progress ? { progress: m.progress } : {}),
    })),
    pending: report.pending,
    problems: report.problems,
    schema: report.schema,
    seed: report.seed
      ? {
          customer: report.seed.customerId !== null,
          site: report.seed.siteId !== null,
          defaultTenant: report.seed.tenant,
          changes: report.seedChanges,
        }
      : null,
    skipped: report.skipped,
    lock: report.lock
      ? {
          owner: report.lock.owner,
          leaseExpiresAt: report.lock.leaseExpiresAt.toISOString(),
          expired: report.lock.expired,
        }
      : null,
    drafts: report.drafts,
  };
}
