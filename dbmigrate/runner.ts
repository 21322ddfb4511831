/**
 * The migration engine: status, up, apply-complete, verify, resolve and drop. In the spirit of
 * kysely's migrator: one path for every command that migrates (`up`, `up --dry-run`,
 * `apply-complete`), I/O injected (connections, files, clock, logger, the server's answers), one
 * executor per engine behind one interface (executors/), SQLSTATE meaning in one module
 * (sqlstate.ts), audit and seed as steps after each applied migration, and errors that carry what
 * was applied before them. Imports nothing from Pulumi; the CLI and the provider are thin adapters.
 */
import * as os from "node:os";
import * as path from "node:path";
import { auditAction, auditMigration } from "./audit";
import { silentLogger, systemClock, type Clock, type Logger } from "./clock";
import { DEFAULT_COMPLETE_SCHEMA_FILE, readCompleteSchema } from "./complete-schema";
import { withClient, type Connect, type SqlClient } from "./db";
import {
  featureRequirement,
  probeServer,
  sqlServerQueries,
  supportsFeature,
  type Engine,
  type ServerInfo,
  type ServerQueries,
} from "./dialect";
import {
  DbMigrateError,
  LockError,
  messageOf,
  PlanError,
  SeedError,
  sqlStateOf,
  StoppedError,
  UsageError,
} from "./errors";
import { executorFor } from "./executors";
import type { AfterMigrationStep, AppliedMigration, RunnableMigration } from "./executors/types";
import {
  ensureHistoryTable,
  forgetDirty,
  HISTORY_TABLE,
  readHistory,
  recordFinished,
  type HistoryRow,
} from "./history";
import {
  acquireLock,
  breakLock,
  DEFAULT_LOCK,
  describeHolder,
  LOCK_NAME,
  LOCK_TABLE,
  newLockOwner,
  readLockHolder,
  type HeldLock,
  type LockHolder,
  type LockOptions,
} from "./lock";
import {
  DEFAULT_MIGRATIONS_DIR,
  loadMigrations,
  nodeFileReader,
  pad,
  type FileReader,
  type Migration,
} from "./migrations";
import { planMigrations, type Plan, type PlanEntry } from "./plan";
import { upResult, type StatusReport, type UpResult } from "./reports";
import { runSeedStep, seedStatus } from "./seed-step";
import { Redactor } from "./redact";
import { UNDEFINED_TABLE } from "./sqlstate";
import { DEFAULT_RETRY, type RetryOptions } from "./retry";
import { checkSeed, validateSeed, type SeedChange, type SeedParams, type SeedResult } from "./seed";
import { driftLines, readSnapshot, recordSnapshot, schemaDrift, SNAPSHOT_TABLE } from "./snapshot";
import { APPLICATION_TABLES } from "./tables";

/** The engine's own tables: never part of a schema snapshot. */
const ENGINE_TABLES = [HISTORY_TABLE, LOCK_TABLE, SNAPSHOT_TABLE];

export type { AppliedMigration } from "./executors/types";

/** What `resolve` did (or, in a dry run, would do). */
export interface ResolveResult {
  version: number;
  file: string;
  outcome: "applied" | "rolled-back";
  dryRun: boolean;
  /** The checksum recorded with `applied`: the file's current one. */
  checksum: string | null;
}

/** Who held the lock, and whether `unlock --force` broke it. */
export interface UnlockResult {
  holder: LockHolder | null;
  broken: boolean;
  dryRun: boolean;
}
export type { SeedStatus, StatusReport, UpResult } from "./reports";

/** Everything the engine needs; only `connect` is required. */
export interface MigratorOptions {
  /** Opens a connection to the target database (see `connection.ts`). */
  connect: Connect;
  /** Folder of the migration files. Default {@link DEFAULT_MIGRATIONS_DIR}, relative to the working directory. */
  migrationsDir?: string;
  /** The complete schema file for `applyComplete`. Default {@link DEFAULT_COMPLETE_SCHEMA_FILE}. */
  completeSchemaFile?: string;
  /** File access. Default: the local file system. */
  files?: FileReader;
  /**
   * Run the other engine's executor (tests run the CockroachDB path on PostgreSQL). Features are
   * still decided from the server that answers, never from this.
   */
  engine?: Engine;
  /** The server's answers (version, cluster version, jobs). Default: ask the server. */
  server?: ServerQueries;
  /**
   * The default tenant's parameters that were given (flags, config). Those left out keep what the
   * database has. `false`: no seed step (a migration set without the application schema).
   */
  seed?: Partial<SeedParams> | false;
  /** Write one `audit_logs` row per applied migration. Default true; false without the application schema. */
  audit?: boolean;
  /** Lock lease and waiting. Defaults {@link DEFAULT_LOCK}. */
  lock?: Partial<LockOptions>;
  /** 40001 retries. Defaults {@link DEFAULT_RETRY}. */
  retry?: Partial<RetryOptions>;
  /** Apply new files numbered below the latest applied one. Default false. */
  allowOutOfOrder?: boolean;
  /** Recorded in `schema_migrations.applied_by` and the audit log. Default `user@host`. */
  appliedBy?: string;
  /** Masks secrets in errors stored in the history. Default: DSN masking. */
  redact?: (text: string) => string;
  /** Default: the real clock. */
  clock?: Clock;
  /** Progress and warnings. Default: silent. */
  logger?: Logger;
}

/** What one migrating command runs: every pending file (`up`), or the complete schema's sections as a baseline. */
type Target = { dryRun: boolean; signal?: AbortSignal } & (
  { kind: "up" } | { kind: "complete"; sections: Migration[] }
);

/** The engine. One instance per target database; methods open and close their own connections. */
export class Migrator {
  private readonly connect: Connect;
  private readonly files: FileReader;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly lockOptions: LockOptions;
  private readonly retryOptions: RetryOptions;
  private readonly seedRequest: Partial<SeedParams> | false;
  private readonly appliedBy: string;
  private readonly afterEach: AfterMigrationStep[];
  private readonly redact: (text: string) => string;

  constructor(private readonly options: MigratorOptions) {
    this.connect = options.connect;
    this.files = options.files ?? nodeFileReader;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.lockOptions = withDefaults(DEFAULT_LOCK, options.lock);
    this.retryOptions = withDefaults(DEFAULT_RETRY, options.retry);
    this.seedRequest = options.seed === false ? false : definedOnly(options.seed ?? {});
    this.appliedBy = options.appliedBy ?? `${os.userInfo().username}@${os.hostname()}`;
    this.afterEach = options.audit === false ? [] : [auditMigration(this.appliedBy)];
    const redactor = new Redactor();
    this.redact = options.redact ?? ((text) => redactor.redact(text));
    if (this.seedRequest) validateSeed(this.seedRequest);
  }

  /** The migration files, read and checksummed. */
  loadMigrations(): Promise<Migration[]> {
    return loadMigrations(this.migrationsDir(), this.files);
  }

  /** Each migration's state, the server, the default tenant and what the seed would change, the lock. Changes nothing. */
  async status(): Promise<StatusReport> {
    const files = await this.loadMigrations();
    const { history, server, ...rest } = await this.inspect();
    const plan = this.plan(files, history, server);
    return {
      ...rest,
      activeVersion: server.activeVersion.text,
      migrations: plan.entries,
      pending: plan.entries.filter((e) => e.state === "pending").length,
      problems: plan.problems,
    };
  }

  /**
   * The server, the raw history (null before the first run), the default tenant and the lock
   * holder, on one connection. Changes nothing.
   */
  async inspect(): Promise<
    Omit<StatusReport, "migrations" | "pending" | "problems" | "activeVersion"> & {
      history: HistoryRow[] | null;
      server: ServerInfo;
    }
  > {
    return withClient(this.connect, async (client) => {
      const server = await this.server(client);
      const history = await readHistory(client);
      const seed = await seedStatus(client, this.seedRequest);
      const lock = await readLockHolder(client);
      const schema = await schemaDrift(client, { engineTables: ENGINE_TABLES });
      return {
        engine: this.engineOf(server),
        serverVersion: server.serverVersion,
        server,
        history,
        seed,
        lock,
        schema,
      };
    });
  }

  /**
   * The problems `verify` reports: changed, missing or dirty applied migrations (and out-of-order
   * files), and each object of the live schema that differs from the snapshot recorded after the last `up`.
   */
  async verify(): Promise<string[]> {
    const report = await this.status();
    const dirty = report.migrations.filter((m) => m.state === "dirty" && !m.problem);
    return [
      ...report.problems,
      ...dirty.map(
        (m) => `${m.file} is dirty at statement ${(m.progress?.resumeAt ?? 0) + 1}: \`dbmigrate up\` resumes it`,
      ),
      ...driftLines(report.schema.changes),
    ];
  }

  /**
   * Applies every pending migration under the lock (each with its audit row), then brings the
   * default tenant to the given parameters. When nothing is pending, nothing is dirty and the seed
   * has nothing to change, it takes no lock and changes nothing. `dryRun` reports what would run
   * and what the seed would change, without a lock. `signal` aborted (with the signal's name as its
   * reason) stops the run cleanly: see {@link StoppedError}.
   */
  up(options: { dryRun?: boolean; signal?: AbortSignal } = {}): Promise<UpResult> {
    return this.migrate({ kind: "up", dryRun: options.dryRun ?? false, signal: options.signal });
  }

  /**
   * For an empty database only: applies the complete schema's sections, records each as applied
   * (a baseline), and seeds. Refuses when any application table exists. `dryRun` checks the same
   * and reports the sections it would apply, writing nothing.
   */
  async applyComplete(options: { dryRun?: boolean; signal?: AbortSignal } = {}): Promise<UpResult> {
    const sections = await readCompleteSchema(
      this.files,
      this.completeSchemaFile(),
      await this.loadMigrations(),
      this.migrationsDir(),
    );
    return this.migrate({ kind: "complete", sections, dryRun: options.dryRun ?? false, signal: options.signal });
  }

  /**
   * Clears a dirty marker after a person checked the database: `applied` when every statement of
   * the migration took effect (or was completed by hand), `rolled-back` when none did (or they
   * were undone), so the next `up` runs it from its first statement. `applied` records the file's
   * current checksum (the file as fixed is the file as applied); both write an audit row. Says how
   * far it had got. `dryRun` checks and says what it would do, writing nothing.
   */
  async resolve(
    version: number,
    outcome: "applied" | "rolled-back",
    options: { dryRun?: boolean } = {},
  ): Promise<ResolveResult> {
    const file = (await this.loadMigrations()).find((m) => m.version === version);
    return withClient(this.connect, async (client) => {
      const dirtyRow = async () => (await readHistory(client))?.find((r) => r.version === version && r.dirty);
      const notDirty = () =>
        new UsageError(`migration ${pad(version)} is not dirty`, {
          hint: "Run `dbmigrate status` to see which migration is dirty",
        });
      const seen = await dirtyRow();
      if (!seen) throw notDirty();
      const got =
        seen.statementsTotal === null
          ? "its progress was not recorded"
          : `${seen.statementsDone} of ${seen.statementsTotal} statements had taken effect by the runner's account`;
      const checksum = outcome === "applied" ? (file?.checksum ?? seen.checksum) : null;
      const result = { version, file: seen.file, outcome, dryRun: options.dryRun ?? false, checksum };
      if (options.dryRun) {
        this.logger.info(
          `dry run: migration ${pad(version)} would be resolved as ${outcome} (${got}); nothing written`,
        );
        return result;
      }
      await this.underLock("resolve", undefined, async (lock) => {
        const row = await dirtyRow();
        const changed = !row
          ? 0
          : outcome === "applied"
            ? await recordFinished(client, version, null, lock, checksum ?? undefined)
            : await forgetDirty(client, version);
        if (!row || changed === 0) throw notDirty();
        await this.audit(client, "schema.resolve", row.file, {
          version,
          outcome,
          statementsDone: row.statementsDone,
          statementsTotal: row.statementsTotal,
          recordedChecksum: row.checksum,
          checksum,
        });
      });
      this.logger.info(`migration ${pad(version)} resolved as ${outcome} (${got})`);
      return result;
    });
  }

  /**
   * Who holds the migration lock (`dbmigrate unlock`). With `force`, breaks it: deletes the row of
   * the holder seen (never one taken since), with an audit row; the old holder's renewals and
   * fenced writes then fail, so it stops before its next statement. `dryRun` says what it would
   * break, writing nothing.
   */
  async unlock(options: { force?: boolean; dryRun?: boolean } = {}): Promise<UnlockResult> {
    return withClient(this.connect, async (client) => {
      const holder = await readLockHolder(client);
      if (!holder || !options.force || options.dryRun)
        return { holder, broken: false, dryRun: options.dryRun ?? false };
      if (!(await breakLock(client, holder.owner))) {
        throw new LockError(
          `the migration lock changed hands while breaking it: now ${describeHolder(await readLockHolder(client))}`,
          {
            hint: "Nothing was broken; run `dbmigrate unlock` again to see the new holder",
          },
        );
      }
      await this.audit(client, "schema.unlock", LOCK_NAME, {
        owner: holder.owner,
        host: holder.host,
        pid: holder.pid,
        command: holder.command,
        leaseExpiresAt: holder.leaseExpiresAt.toISOString(),
        expired: holder.expired,
      });
      this.logger.info(`broke the migration lock held by ${describeHolder(holder)}`);
      return { holder, broken: true, dryRun: false };
    });
  }

  /** One audit row for an action of the engine's own (resolve, unlock, drop), when auditing is on. */
  private async audit(client: SqlClient, action: string, resource: string, changes: object): Promise<void> {
    if (this.options.audit === false) return;
    try {
      await auditAction(this.appliedBy)(client, action, resource, changes);
    } catch (error) {
      if (sqlStateOf(error) !== UNDEFINED_TABLE) throw error;
      this.logger.warn(`no audit_logs table: ${action} on ${resource} is recorded only in this output`);
    }
  }

  /** Runs read-only `work` on a connection of this engine's database (reports such as the ERD). */
  withConnection<T>(work: (client: SqlClient) => Promise<T>): Promise<T> {
    return withClient(this.connect, work);
  }

  /** Drops every application table, the history and the lock table: nothing of the schema is left. */
  async dropAll(): Promise<void> {
    await withClient(this.connect, async (client) => {
      const tables = [...APPLICATION_TABLES].reverse().join(", ");
      await client.query(`DROP TABLE IF EXISTS ${tables}, ${HISTORY_TABLE}, ${LOCK_TABLE}, ${SNAPSHOT_TABLE} CASCADE`);
      this.logger.info("dropped every table of the schema, its history and its lock");
    });
  }

  /** The one path of every migrating command: plan, check, lock, re-plan under the lock, execute, seed. */
  private async migrate(target: Target): Promise<UpResult> {
    const files = await this.loadMigrations();
    return withClient(this.connect, async (client) => {
      const server = await this.server(client);
      const history = await readHistory(client);
      const plan = this.targetPlan(target, files, history, server);
      // A dirty migration is judged under the lock: its runner may still be at work.
      this.refuse(plan.entries.filter((e) => e.problem && e.state !== "dirty"));
      const seed = await seedStatus(client, this.seedRequest);
      // The seed is checked against the database before any migration runs.
      if (this.seedRequest && seed.tenant) await checkSeed(client, seed.tenant, this.seedRequest);
      if (target.dryRun) {
        if (target.kind === "complete") await this.assertEmpty(client);
        return upResult(
          this.engineOf(server),
          server,
          true,
          [],
          plan,
          seed.customerId && seed.siteId ? seed : null,
          seed.changes,
        );
      }
      const dirty = plan.entries.some((e) => e.state === "dirty");
      const seedToDo = this.seedRequest !== false && seed.changes.length > 0;
      if (target.kind === "up" && plan.pending.length === 0 && !dirty && history !== null && !seedToDo) {
        this.logger.info("nothing to apply: schema and seed are up to date");
        return upResult(this.engineOf(server), server, false, [], plan, seed, []);
      }
      return this.underLock(target.kind === "up" ? "up" : "apply-complete", target.signal, async (lock) => {
        if (target.kind === "complete") await this.assertEmpty(client);
        await ensureHistoryTable(client);
        // Re-read under the lock: another runner may have applied what we saw pending, or left a dirty row.
        const locked = this.targetPlan(target, files, await readHistory(client), server);
        this.refuse(
          locked.entries.filter((e) => e.problem),
          await this.jobsNote(client, server, locked),
        );
        const applied = await this.applyAll(client, server, locked, target.kind === "complete", lock, target.signal);
        if (target.signal?.aborted) throw stoppedAfter(target.signal, applied, "before seeding the default tenant");
        let seeded: { result: SeedResult; changes: SeedChange[] } | null = null;
        try {
          seeded = await runSeedStep(client, this.seedRequest, this.appliedBy, this.retryDeps());
        } catch (error) {
          const failure =
            error instanceof DbMigrateError
              ? error
              : new SeedError(`seeding the default tenant failed: ${messageOf(error)}`, {
                  sqlState: sqlStateOf(error),
                  cause: error,
                  hint: "Every migration applied is recorded with its audit row; fix the cause and run `dbmigrate up` again to seed",
                });
          throw withApplied(failure, applied);
        }
        const after = this.plan(files, await readHistory(client), server);
        await this.recordSchema(client, after);
        for (const e of after.entries.filter((m) => m.state === "waiting"))
          this.logger.warn(`${e.file} waits: ${e.waitingFor}`);
        if (target.kind === "complete" && after.pending.length > 0) {
          this.logger.warn(
            `${after.pending.length} migration(s) newer than the complete schema are pending: run \`dbmigrate up\``,
          );
        }
        return upResult(
          this.engineOf(server),
          server,
          false,
          applied,
          after,
          seeded?.result ?? null,
          seeded?.changes ?? [],
        );
      });
    });
  }

  /**
   * Records the schema the migrations produced, for drift checks. Everything is applied by now: a
   * failure here is a warning (the next \`up\` records it), never a failed run.
   */
  private async recordSchema(client: SqlClient, after: Plan): Promise<void> {
    try {
      const version = Math.max(0, ...after.entries.filter((e) => e.state === "applied").map((e) => e.version));
      const snapshot = await readSnapshot(client, { excludeTables: ENGINE_TABLES });
      const hash = await recordSnapshot(client, snapshot, version);
      this.logger.info(`recorded the schema snapshot ${hash.slice(0, 19)} for drift checks`);
    } catch (error) {
      this.logger.warn(
        `could not record the schema snapshot (drift checks compare with the previous one): ${messageOf(error)}`,
      );
    }
  }

  private targetPlan(target: Target, files: Migration[], history: HistoryRow[] | null, server: ServerInfo): Plan {
    return target.kind === "complete" ? this.plan(target.sections, [], server) : this.plan(files, history, server);
  }

  private plan(files: readonly Migration[], history: readonly HistoryRow[] | null, server: ServerInfo): Plan {
    return planMigrations(files, history, {
      allowOutOfOrder: this.options.allowOutOfOrder ?? false,
      migrationsDir: this.migrationsDir(),
      missingFeature: (m) => {
        const missing = m.requires.filter((feature) => !supportsFeature(server, feature));
        return missing.length === 0 ? undefined : missing.map((f) => featureRequirement(f, server)).join("; ");
      },
    });
  }

  private refuse(entries: PlanEntry[], note = ""): void {
    if (entries.length > 0) {
      throw new PlanError(
        entries.map((e) => e.problem!),
        `Nothing was applied; \`dbmigrate status\` shows every migration's state${note}`,
      );
    }
  }

  /**
   * On CockroachDB, a dirty migration whose outcome is unknown may have a schema-change job still
   * running: name the unfinished ones, so the person knows what to wait for before `resolve`.
   */
  private async jobsNote(client: SqlClient, server: ServerInfo, plan: Plan): Promise<string> {
    const unknown = plan.entries.some((e) => e.state === "dirty" && e.problem);
    if (!unknown || server.engine !== "cockroachdb") return "";
    const jobs = await (this.options.server ?? sqlServerQueries).unfinishedSchemaJobs(client).catch(() => null);
    if (jobs === null) return "; could not list CockroachDB's jobs (SHOW JOBS): check them by hand";
    if (jobs.length === 0) return "; CockroachDB has no unfinished schema-change job";
    return `; unfinished CockroachDB schema-change jobs: ${jobs.map((j) => `${j.jobId} (${j.status}): ${j.description}`).join("; ")}`;
  }

  private async applyAll(
    client: SqlClient,
    server: ServerInfo,
    plan: Plan,
    baseline: boolean,
    lock: HeldLock,
    signal: AbortSignal | undefined,
  ): Promise<AppliedMigration[]> {
    const stopRequested = () => (signal?.aborted ? (String(signal.reason) as NodeJS.Signals) : undefined);
    // On PostgreSQL a statement is atomic, so the one in flight is cancelled at once; on
    // CockroachDB it is let finish, since a cancelled schema change may go on as a job
    // (https://www.cockroachlabs.com/docs/stable/cancel-job, "online schema changes").
    const cancel = server.engine === "postgres" && signal ? await this.canceller(client, signal) : undefined;
    try {
      return await this.applyEach(client, server, plan, baseline, lock, stopRequested);
    } finally {
      cancel?.();
    }
  }

  /** On `signal`, cancels whatever `client` runs (pg_cancel_backend from a second connection); returns the unsubscribe. */
  private async canceller(client: SqlClient, signal: AbortSignal): Promise<() => void> {
    const { rows } = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
    const pid = rows[0].pid;
    const onAbort = () => {
      // Only a migration's statement: a cancelled history write would leave a statement that took
      // effect unrecorded (the check and the cancel are one statement; the window left is tiny).
      const cancel = `SELECT pg_cancel_backend(pid) FROM pg_stat_activity
        WHERE pid = $1 AND state = 'active' AND position($2 IN query) = 0`;
      void withClient(this.connect, (other) => other.query(cancel, [pid, HISTORY_TABLE])).catch((error: unknown) =>
        this.logger.warn(`could not cancel the statement in flight: ${messageOf(error)}`),
      );
    };
    signal.addEventListener("abort", onAbort, { once: true });
    return () => signal.removeEventListener("abort", onAbort);
  }

  private async applyEach(
    client: SqlClient,
    server: ServerInfo,
    plan: Plan,
    baseline: boolean,
    lock: HeldLock,
    stopRequested: () => NodeJS.Signals | undefined,
  ): Promise<AppliedMigration[]> {
    const executor = executorFor(this.engineOf(server));
    const context = {
      client,
      lock,
      appliedBy: this.appliedBy,
      clock: this.clock,
      logger: this.logger,
      retry: this.retryOptions,
      afterEach: this.afterEach,
      redact: this.redact,
      stopRequested,
    };
    const applied: AppliedMigration[] = [];
    for (const migration of plan.pending) {
      const start = plan.starts.get(migration.version) ?? { statement: 0, dirtyRow: false };
      const signal = stopRequested();
      if (signal) throw withApplied(stopped(signal, applied, `before ${migration.file}`), applied);
      this.logger.info(`applying ${migration.file} ...`);
      try {
        applied.push(await executor.apply(this.runnable(migration, baseline), start, context));
      } catch (error) {
        const signal = stopRequested();
        throw withApplied(signal ? stoppedIn(signal, error, migration) : error, applied);
      }
      this.logger.info(`applied ${migration.file} in ${applied.at(-1)!.durationMs} ms`);
    }
    return applied;
  }

  private runnable(migration: Migration, baseline: boolean): RunnableMigration {
    return {
      ...migration,
      baseline,
      location: baseline ? this.completeSchemaFile() : path.join(this.migrationsDir(), migration.file),
    };
  }

  /** The seed step, after the migrations, in its own transaction (on CockroachDB DDL after a write fails: 0A000). */
  private server(client: SqlClient): Promise<ServerInfo> {
    return probeServer(client, this.options.server ?? sqlServerQueries);
  }

  private engineOf(server: ServerInfo): Engine {
    return this.options.engine ?? server.engine;
  }

  private migrationsDir(): string {
    return this.options.migrationsDir ?? DEFAULT_MIGRATIONS_DIR;
  }

  private completeSchemaFile(): string {
    return this.options.completeSchemaFile ?? DEFAULT_COMPLETE_SCHEMA_FILE;
  }

  private async underLock<T>(
    command: string,
    signal: AbortSignal | undefined,
    work: (lock: HeldLock) => Promise<T>,
  ): Promise<T> {
    const lock = await acquireLock(newLockOwner(), this.lockOptions, {
      connect: this.connect,
      clock: this.clock,
      logger: this.logger,
      retry: this.retryOptions,
      command,
      signal,
    });
    try {
      return await work(lock);
    } finally {
      await lock
        .release()
        .catch((error: unknown) => this.logger.warn(`could not release the migration lock: ${messageOf(error)}`));
    }
  }

  private async assertEmpty(client: SqlClient): Promise<void> {
    const { rows } = await client.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ANY($1) ORDER BY table_name`,
      [[...APPLICATION_TABLES, HISTORY_TABLE]],
    );
    const found = rows.map((r) => r.table_name);
    if (found.length > 0) {
      throw new UsageError(
        `refusing to apply the complete schema: the database is not empty (it has ${found.join(", ")})`,
        { hint: "apply-complete is for a fresh database; use `dbmigrate up` for an existing one" },
      );
    }
  }

  private retryDeps() {
    return { clock: this.clock, logger: this.logger, options: this.retryOptions };
  }
}

/** A stop between migrations (or before the seed): everything before it is applied and recorded. */
function stopped(signal: NodeJS.Signals, applied: AppliedMigration[], where: string): StoppedError {
  const done = applied.length === 0 ? "nothing was applied" : `${applied.length} migration(s) applied and recorded`;
  return new StoppedError(signal, `stopped on ${signal} ${where}: ${done}; the lock is released`, {
    hint: "Run `dbmigrate up` to go on",
  });
}

function stoppedAfter(signal: AbortSignal, applied: AppliedMigration[], where: string): unknown {
  return withApplied(stopped(String(signal.reason) as NodeJS.Signals, applied, where), applied);
}

/**
 * A stop inside `migration`: what the executor reported (rolled back, or dirty at a statement it
 * may resume), said as one clean stop.
 */
function stoppedIn(signal: NodeJS.Signals, error: unknown, migration: Migration): unknown {
  if (!(error instanceof DbMigrateError)) return error;
  const dirty = error.progress?.dirty;
  const where = dirty
    ? `${migration.file} stopped cleanly after ${dirty.statementsDone} of ${dirty.statementsTotal} statements (recorded)`
    : `${migration.file} was cancelled and rolled back (nothing of it applied)`;
  const next = dirty
    ? `Run \`dbmigrate up\`: it resumes at statement ${dirty.statementsDone + 1} (no \`resolve\` needed)`
    : "Run `dbmigrate up` to apply it again";
  const result = new StoppedError(signal, `stopped on ${signal}: ${where}; the lock is released`, {
    file: error.file,
    hint: next,
    cause: error,
  });
  result.progress = error.progress;
  return result;
}

/** `error` with the migrations this run applied before it (for `--json` and the Pulumi provider). */
function withApplied(error: unknown, applied: AppliedMigration[]): unknown {
  if (error instanceof DbMigrateError) {
    error.progress = { ...(error.progress ?? {}), applied: applied.map((m) => m.file) };
  }
  return error;
}

/** `defaults` with the fields of `overrides` that are set (an explicit `undefined` keeps the default). */
function withDefaults<T extends object>(defaults: T, overrides: Partial<T> | undefined): T {
  return { ...defaults, ...definedOnly(overrides ?? {}) };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
