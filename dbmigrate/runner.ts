/**
 * The migration engine: status, up, apply-complete, verify, resolve and drop. In the spirit of
 * kysely's migrator: one path for every command that migrates (`up`, `up --dry-run`,
 * `apply-complete`), I/O injected (connections, files, clock, logger, the server's answers), one
 * executor per mode behind one interface (executors/), SQLSTATE meaning in one module
 * (sqlstate.ts), the engine's own tables in one schema found from the catalog (engine-schema.ts),
 * the session put back after each migration (session-state.ts), a product's steps (seed, audit)
 * as hooks it registers (product-steps.ts), and errors that carry what was applied before them.
 * Imports nothing from Pulumi nor from any product; the CLI and the provider are thin adapters.
 */
import * as os from "node:os";
import * as path from "node:path";
import { silentLogger, systemClock, type Clock, type Logger } from "./clock";
import { DEFAULT_COMPLETE_SCHEMA_FILE, readCompleteSchema } from "./complete-schema";
import { inTransaction, withClient, type Connect, type SqlClient } from "./db";
import {
  featureRequirement,
  probeServer,
  runsMigrationInTransaction,
  sqlServerQueries,
  supportsFeature,
  type Engine,
  type ServerInfo,
  type ServerQueries,
} from "./dialect";
import {
  ENGINE_TABLES,
  engineSchema,
  HISTORY_TABLE,
  locateEngineSchema,
  LOCK_TABLE,
  type EngineSchema,
} from "./engine-schema";
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
import type { AfterMigrationStep, AppliedMigration, ExecutionContext, RunnableMigration } from "./executors/types";
import { ensureHistoryTable, forgetDirty, readHistory, recordFinished, type HistoryRow } from "./history";
import {
  acquireLock,
  breakLock,
  DEFAULT_LOCK,
  describeHolder,
  newLockOwner,
  readLockHolder,
  type HeldLock,
  type LockHolder,
  type LockOptions,
} from "./lock";
import {
  DEFAULT_MIGRATIONS_DIR,
  draftLine,
  loadMigrationFolder,
  loadMigrations,
  nodeFileReader,
  pad,
  type FileReader,
  type Migration,
  type MigrationFolder,
} from "./migrations";
import { planMigrations, type Plan, type PlanEntry } from "./plan";
import {
  inEngineSchema,
  readSteps,
  skipReason,
  stepsShape,
  type OperatorAction,
  type ProductSteps,
} from "./product-steps";
import { teardown, teardownSummary, type TeardownResult } from "./teardown";
import { upResult, type StatusReport, type UpResult } from "./reports";
import { Redactor } from "./redact";
import { DEFAULT_RETRY, type RetryOptions } from "./retry";
import { DEFAULT_DDL_LOCK_TIMEOUT_MS } from "./settings/defaults";
import { captureSession, type SessionState } from "./session-state";
import { inspectAt, type SchemaReader, type SchemaResults } from "./inspection";
import { driftLines, readSnapshot, recordSnapshot, schemaDrift, type SchemaDriftReport } from "./snapshot";

export { ENGINE_TABLES } from "./engine-schema";

export type { AppliedMigration } from "./executors/types";
export type { StatusReport, UpResult } from "./reports";

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

/** Everything the engine needs; only `connect` is required. */
export interface MigratorOptions<S = unknown, R = unknown, C = unknown> {
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
   * A product's steps (its seed, its audit rows): run when the migrations create the tables they
   * need, skipped (said once, shown by `status`) otherwise. Default: none.
   */
  product?: ProductSteps<S, R, C>;
  /**
   * The schema of the engine's own tables when the history is created. Default: the session's
   * current schema as the first run starts. An existing history is found wherever it is.
   */
  historySchema?: string;
  /** Lock lease and waiting. Defaults {@link DEFAULT_LOCK}. */
  lock?: Partial<LockOptions>;
  /**
   * The lock_timeout each migration runs under, ms (a file's `-- dbmigrate:lock-timeout` header
   * overrides it). Default {@link DEFAULT_DDL_LOCK_TIMEOUT_MS}.
   */
  ddlLockTimeoutMs?: number;
  /** 40001 and 55P03 retries. Defaults {@link DEFAULT_RETRY}. */
  retry?: Partial<RetryOptions>;
  /** Apply new files numbered below the latest applied one. Default false. */
  allowOutOfOrder?: boolean;
  /** Recorded in `schema_migrations.applied_by`. Default `user@host`. */
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

/** Where a run stands before it changes anything: on one connection. */
interface Inspection<S> {
  server: ServerInfo;
  session: SessionState;
  at: EngineSchema;
  history: HistoryRow[] | null;
  /** What the product's steps see; null without steps (or when they are skipped). */
  product: S | null;
}

/** The engine. One instance per target database; methods open and close their own connections. */
export class Migrator<S = unknown, R = unknown, C = unknown> {
  private readonly connect: Connect;
  private readonly files: FileReader;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly lockOptions: LockOptions;
  private readonly retryOptions: RetryOptions;
  private readonly product: ProductSteps<S, R, C> | undefined;
  private readonly appliedBy: string;
  private readonly redact: (text: string) => string;
  /** A skip is said once per Migrator, not once per command it runs. */
  private skipSaid = false;

  constructor(private readonly options: MigratorOptions<S, R, C>) {
    this.connect = options.connect;
    this.files = options.files ?? nodeFileReader;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.lockOptions = withDefaults(DEFAULT_LOCK, options.lock);
    this.retryOptions = withDefaults(DEFAULT_RETRY, options.retry);
    this.product = options.product;
    this.appliedBy = options.appliedBy ?? `${os.userInfo().username}@${os.hostname()}`;
    const redactor = new Redactor();
    this.redact = options.redact ?? ((text) => redactor.redact(text));
  }

  /** The migration files, read and checksummed. */
  loadMigrations(): Promise<Migration[]> {
    return loadMigrations(this.migrationsDir(), this.files);
  }

  /** The migration files and the drafts (files with no statement yet), the folder read once. */
  private folder(): Promise<MigrationFolder> {
    return loadMigrationFolder(this.migrationsDir(), this.files);
  }

  /** Each migration's state, the server, where the history is, the product's steps and what they would change, the lock. Changes nothing. */
  async status(): Promise<StatusReport<S, C>> {
    const { migrations: files, drafts } = await this.folder();
    // Not said here: the report's `skipped` carries it (status printed it twice).
    const steps = this.stepsFor(files, false);
    return withClient(this.connect, async (client) => {
      const { server, at, history, product, shapeSkip, more } = await this.inspectOn(
        client,
        steps,
        [readLockHolder, driftAt] as const,
        false,
      );
      const [lock, schema] = more;
      const plan = this.plan(files, history, server);
      return {
        engine: this.engineOf(server),
        serverVersion: server.serverVersion,
        activeVersion: server.activeVersion.text,
        historySchema: at.name,
        historyExists: at.exists,
        migrations: plan.entries,
        drafts: drafts.map((d) => d.file),
        pending: plan.entries.filter((e) => e.state === "pending").length,
        problems: plan.problems,
        seed: product,
        seedChanges: steps && product !== null ? steps.changes(product) : [],
        skipped: [...this.skipped(files), ...shapeSkip],
        lock,
        schema,
      };
    });
  }

  /** The server, the raw history (null before the first run) and the product's status, on one connection. Changes nothing. */
  async inspect(): Promise<{
    engine: Engine;
    serverVersion: string;
    historySchema: string;
    history: HistoryRow[] | null;
    seed: S | null;
    schema: SchemaDriftReport;
  }> {
    const steps = this.stepsFor(await this.loadMigrations());
    const found = await withClient(this.connect, async (client) => {
      const inspected = await this.inspectOn(client, steps, [driftAt] as const);
      return { ...inspected, schema: inspected.more[0] };
    });
    return {
      engine: this.engineOf(found.server),
      serverVersion: found.server.serverVersion,
      historySchema: found.at.name,
      history: found.history,
      seed: found.product,
      schema: found.schema,
    };
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
   * and what the seed would change, without a lock.
   */
  up(options: { dryRun?: boolean; signal?: AbortSignal } = {}): Promise<UpResult<R, C>> {
    return this.migrate({ kind: "up", dryRun: options.dryRun ?? false, signal: options.signal });
  }

  /**
   * For an empty database only: applies the complete schema's sections, records each as applied
   * (a baseline), and seeds. Refuses when any application table exists.
   */
  async applyComplete(options: { dryRun?: boolean; signal?: AbortSignal } = {}): Promise<UpResult<R, C>> {
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
   * current checksum (the file as fixed is the file as applied). Says how far it had got.
   * `dryRun` checks and says what it would do, writing nothing.
   */
  async resolve(
    version: number,
    outcome: "applied" | "rolled-back",
    options: { dryRun?: boolean } = {},
  ): Promise<ResolveResult> {
    const file = (await this.loadMigrations()).find((m) => m.version === version);
    return withClient(this.connect, async (client) => {
      const at = await locateEngineSchema(client, this.options.historySchema);
      const dirtyRow = async () => (await readHistory(client, at))?.find((r) => r.version === version && r.dirty);
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
      if (outcome === "applied" && !file) {
        // Recording the old checksum would leave `verify` failing on the file as it is now.
        throw new UsageError(`migration ${seen.file} is not in ${this.migrationsDir()}`, {
          hint: "`resolve --applied` records the file's current checksum: give the --migrations-dir that holds it",
        });
      }
      const checksum = outcome === "applied" ? (file?.checksum ?? seen.checksum) : null;
      const result = { version, file: seen.file, outcome, dryRun: options.dryRun ?? false, checksum };
      if (options.dryRun) {
        this.logger.info(
          `dry run: migration ${pad(version)} would be resolved as ${outcome} (${got}); nothing written`,
        );
        return result;
      }
      await this.underLock(at, "resolve", undefined, (lock) =>
        // The audit step in the same transaction: recorded exactly when the history changes.
        inTransaction(client, async () => {
          const row = await dirtyRow();
          const changed = !row
            ? 0
            : outcome === "applied"
              ? await recordFinished(client, version, null, lock, checksum ?? undefined)
              : await forgetDirty(client, lock.schema, version);
          if (!row || changed === 0) throw notDirty();
          await this.operatorAction(client, at, {
            action: "resolve",
            version,
            file: row.file,
            outcome,
            by: this.appliedBy,
          });
        }),
      );
      this.logger.info(`migration ${pad(version)} resolved as ${outcome} (${got})`);
      return result;
    });
  }

  /**
   * Who holds the migration lock (`dbmigrate unlock`). With `force`, breaks it: deletes the row of
   * the holder seen (never one taken since); the old holder's renewals and fenced writes then
   * fail, so it stops before its next statement. `dryRun` says what it would break, writing nothing.
   */
  async unlock(options: { force?: boolean; dryRun?: boolean } = {}): Promise<UnlockResult> {
    return withClient(this.connect, async (client) => {
      const at = await locateEngineSchema(client, this.options.historySchema);
      const holder = await readLockHolder(client, at);
      if (!holder || !options.force || options.dryRun)
        return { holder, broken: false, dryRun: options.dryRun ?? false };
      const broken = await inTransaction(client, async () => {
        if (!(await breakLock(client, at, holder.owner))) return false;
        const action = { action: "unlock", holder: holder.owner, command: holder.command, by: this.appliedBy } as const;
        await this.operatorAction(client, at, action);
        return true;
      });
      if (!broken) {
        throw new LockError(
          `the migration lock changed hands while breaking it: now ${describeHolder(await readLockHolder(client, at))}`,
          { hint: "Nothing was broken; run `dbmigrate unlock` again to see the new holder" },
        );
      }
      this.logger.warn(`broke the migration lock held by ${describeHolder(holder)}`);
      return { holder, broken: true, dryRun: false };
    });
  }

  /** Runs read-only `work` on a connection of this engine's database (reports such as the ERD). */
  withConnection<T>(work: (client: SqlClient) => Promise<T>): Promise<T> {
    return withClient(this.connect, work);
  }

  /**
   * Teardown (ADR 0006): drops every object of the engine's schema when it holds a history, its
   * own tables last, under the migration lock; `dryRun` lists them and writes nothing.
   */
  async teardown(options: { dryRun?: boolean; signal?: AbortSignal } = {}): Promise<TeardownResult> {
    return withClient(this.connect, async (client) => {
      const at = await locateEngineSchema(client, this.options.historySchema);
      const engine = this.engineOf(await this.server(client));
      const result = await teardown(client, at, ENGINE_TABLES, {
        dryRun: options.dryRun ?? false,
        inTransaction: runsMigrationInTransaction(engine),
        takeLock: () => this.takeLock(at, "teardown", options.signal),
      });
      this.logger.info(teardownSummary(result));
      return result;
    });
  }

  /** The one path of every migrating command: plan, check, lock, re-plan under the lock, execute, product steps. */
  private async migrate(target: Target): Promise<UpResult<R, C>> {
    const { migrations: files, drafts } = await this.folder();
    for (const draft of drafts) this.logger.warn(draftLine(draft.file));
    const fromFiles = this.stepsFor(target.kind === "complete" ? target.sections : files);
    return withClient(this.connect, async (client) => {
      // `session`, read before any migration: what each one starts from, and what is put back after it.
      const { server, session, at, history, product, shapeSkip } = await this.inspectOn(client, fromFiles, []);
      const steps = shapeSkip.length > 0 ? undefined : fromFiles;
      const skipped = [...this.skipped(target.kind === "complete" ? target.sections : files), ...shapeSkip];
      const plan = this.targetPlan(target, files, history, server);
      // A dirty migration is judged under the lock: its runner may still be at work.
      this.refuse(plan.entries.filter((e) => e.problem && e.state !== "dirty"));
      const changes = steps && product !== null ? steps.changes(product) : [];
      const result = (applied: AppliedMigration[], after: Plan, dryRun: boolean, seed: R | null, seedChanges: C[]) =>
        upResult(this.engineOf(server), server, dryRun, applied, after, seed, seedChanges, at.name, skipped);
      if (target.dryRun) {
        if (target.kind === "complete") await this.assertEmpty(client, at);
        return result([], plan, true, steps && product !== null ? steps.resultOf(product) : null, changes);
      }
      const dirty = plan.entries.some((e) => e.state === "dirty");
      if (target.kind === "up" && plan.pending.length === 0 && !dirty && history !== null && changes.length === 0) {
        this.logger.info(
          steps ? "nothing to apply: schema and seed are up to date" : "nothing to apply: every migration is applied",
        );
        return result([], plan, false, steps && product !== null ? steps.resultOf(product) : null, []);
      }
      // The product's steps check the database before any migration runs (a run with nothing
      // to do has nothing to check: it changes nothing).
      if (steps?.check && product !== null) await inEngineSchema(client, at, () => steps.check!(client, product));
      return this.underLock(at, target.kind === "up" ? "up" : "apply-complete", target.signal, async (lock) => {
        if (target.kind === "complete") await this.assertEmpty(client, at);
        await ensureHistoryTable(client, at);
        const created = engineSchema(at.name, true);
        // Re-read under the lock: another runner may have applied what we saw pending, or left a dirty row.
        const locked = this.targetPlan(target, files, await readHistory(client, created), server);
        this.refuse(
          locked.entries.filter((e) => e.problem),
          await this.jobsNote(client, server, locked),
        );
        const afterEach = steps?.afterMigration ? [this.whereStepsFit(steps, steps.afterMigration)] : [];
        const context = this.context(client, server, lock, session, afterEach);
        const signal = target.signal;
        context.stopRequested = () => (signal?.aborted ? (String(signal.reason) as NodeJS.Signals) : undefined);
        // On PostgreSQL a statement is atomic, so the one in flight is cancelled at once; on
        // CockroachDB it is let finish, since a cancelled schema change may go on as a job
        // (https://www.cockroachlabs.com/docs/stable/online-schema-changes).
        const cancel = server.engine === "postgres" && signal ? await this.canceller(client, signal) : undefined;
        let applied: AppliedMigration[];
        try {
          applied = await this.applyAll(locked, target.kind === "complete", context);
        } finally {
          cancel?.();
        }
        if (signal?.aborted) throw stoppedAfter(signal, applied, "before the steps after the migrations");
        let seeded: { result: R; changes: C[] } | null = null;
        const unfit = steps ? await this.unfit(client, created, steps) : undefined;
        if (unfit !== undefined) {
          this.logger.info(unfit);
          skipped.push(unfit);
        } else if (steps) {
          try {
            seeded = await inEngineSchema(client, created, () => steps.run(client, this.stepDeps()));
          } catch (error) {
            const failure =
              error instanceof DbMigrateError
                ? error
                : new SeedError(`${steps.name}: its step after the migrations failed: ${messageOf(error)}`, {
                    sqlState: sqlStateOf(error),
                    cause: error,
                    hint: "Every migration applied is recorded (with its audit row); fix the cause and run `dbmigrate up` again",
                  });
            throw withApplied(failure, applied);
          }
        }
        const after = this.plan(files, await readHistory(client, created), server);
        // Only what migrations made is recorded: a run that found everything applied once it held
        // the lock (another runner had just done it) leaves that runner's snapshot as the latest.
        if (applied.length > 0) await this.recordSchema(client, created, after);
        for (const e of after.entries.filter((m) => m.state === "waiting"))
          this.logger.warn(`${e.file} waits: ${e.waitingFor}`);
        if (target.kind === "complete" && after.pending.length > 0) {
          this.logger.warn(
            `${after.pending.length} migration(s) newer than the complete schema are pending: run \`dbmigrate up\``,
          );
        }
        return result(applied, after, false, seeded?.result ?? null, seeded?.changes ?? []);
      });
    });
  }

  /**
   * The server, the session, the history, the product's status and `more` (the lock, the drift),
   * read on `client`: one round trip when the engine's schema is where it usually is (inspection.ts).
   */
  private async inspectOn<T extends readonly SchemaReader<unknown>[]>(
    client: SqlClient,
    steps: ProductSteps<S, R, C> | undefined,
    more: T,
    say = true,
  ): Promise<Inspection<S> & { shapeSkip: string[]; more: SchemaResults<T> }> {
    const stepsAt: SchemaReader<{ wrong: string[]; status: S | null } | undefined> = (c, at) =>
      steps ? readSteps(c, at, steps) : Promise.resolve(undefined);
    const readers: [typeof readHistory, typeof stepsAt, ...T] = [readHistory, stepsAt, ...more];
    const { first, at, read } = await inspectAt(client, {
      preferred: this.options.historySchema,
      first: (c) => Promise.all([this.server(c), captureSession(c)]),
      readers,
    });
    const [server, session] = first;
    const [history, seen, ...rest] = read;
    // Tables of those names in the engine's schema that are not the product's: its steps would fail there.
    const wrong = seen?.wrong ?? [];
    const shapeSkip = wrong.length > 0 && steps ? [`${steps.name}: skipped, ${wrong.join("; ")}`] : [];
    if (say && shapeSkip.length > 0 && !this.skipSaid) this.logger.info(shapeSkip[0]);
    if (shapeSkip.length > 0) this.skipSaid = true;
    const product = seen?.status ?? null;
    return { server, session, at, history, product, shapeSkip, more: rest };
  }

  /** Why the steps cannot run after the migrations (their tables are not in the engine's schema as they need them), or undefined. */
  private async unfit(client: SqlClient, at: EngineSchema, steps: ProductSteps<S, R, C>): Promise<string | undefined> {
    const { absent, wrong } = await stepsShape(client, at, steps);
    if (absent.length === 0 && wrong.length === 0) return undefined;
    const why = [...(absent.length > 0 ? [`schema ${at.name} has no table ${absent.join(", ")}`] : []), ...wrong];
    return `${steps.name}: skipped, ${why.join("; ")}`;
  }

  /** The product's step for a person's action, where its tables are in the engine's schema as it needs them. */
  private async operatorAction(client: SqlClient, at: EngineSchema, action: OperatorAction): Promise<void> {
    const steps = this.product;
    if (!steps?.onOperatorAction || (await this.unfit(client, at, steps)) !== undefined) return;
    await steps.onOperatorAction(client, action, at);
  }

  /** `step`, run only once the engine's schema holds the steps' tables as they need them (checked until it does). */
  private whereStepsFit(steps: ProductSteps<S, R, C>, step: AfterMigrationStep): AfterMigrationStep {
    let fits = false;
    return async (client, applied, at) => {
      fits ||= (await this.unfit(client, at, steps)) === undefined;
      if (fits) await step(client, applied, at);
    };
  }

  /** The product's steps when `files` create their tables; undefined (and said once) otherwise. */
  private stepsFor(files: readonly Migration[], say = true): ProductSteps<S, R, C> | undefined {
    if (!this.product) return undefined;
    const reason = skipReason(this.product, files);
    if (reason === undefined) return this.product;
    if (say && !this.skipSaid) this.logger.info(reason);
    this.skipSaid = true;
    return undefined;
  }

  /** What this run skips and why (for `status` and `--json`). */
  private skipped(files: readonly Migration[]): string[] {
    const reason = this.product ? skipReason(this.product, files) : undefined;
    return reason === undefined ? [] : [reason];
  }

  /**
   * Records the schema the migrations produced, for drift checks. Everything is applied by now: a
   * failure here is a warning (the next \`up\` records it), never a failed run.
   */
  private async recordSchema(client: SqlClient, at: EngineSchema, after: Plan): Promise<void> {
    try {
      const version = Math.max(0, ...after.entries.filter((e) => e.state === "applied").map((e) => e.version));
      // The engine's schema, not the session's current one: a DSN's search_path (app,public) names
      // another as soon as a migration creates it, and drift would watch the wrong schema.
      const snapshot = await readSnapshot(client, { schema: at.name, excludeTables: ENGINE_TABLES });
      const hash = await recordSnapshot(client, snapshot, version, at.snapshots);
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

  private context(
    client: SqlClient,
    server: ServerInfo,
    lock: HeldLock,
    session: SessionState,
    afterEach: AfterMigrationStep[],
  ): ExecutionContext {
    return {
      client,
      engine: this.engineOf(server),
      session,
      lock,
      appliedBy: this.appliedBy,
      clock: this.clock,
      logger: this.logger,
      retry: this.retryOptions,
      ddlLockTimeoutMs: this.options.ddlLockTimeoutMs ?? DEFAULT_DDL_LOCK_TIMEOUT_MS,
      afterEach,
      redact: this.redact,
    };
  }

  private async applyAll(plan: Plan, baseline: boolean, context: ExecutionContext): Promise<AppliedMigration[]> {
    const applied: AppliedMigration[] = [];
    for (const migration of plan.pending) {
      const start = plan.starts.get(migration.version) ?? { statement: 0, dirtyRow: false };
      const { executor, decision } = executorFor(context.engine, migration.statements);
      if (decision.reason) {
        this.logger.info(
          `applying ${migration.file} outside a transaction, statement by statement (line ${decision.line}: ${decision.reason}) ...`,
        );
      } else this.logger.info(`applying ${migration.file} ...`);
      const before = context.stopRequested?.();
      if (before) throw withApplied(stopped(before, applied, `before ${migration.file}`), applied);
      try {
        applied.push(await executor.apply(this.runnable(migration, baseline), start, context));
      } catch (error) {
        const signal = context.stopRequested?.();
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

  /** On `signal`, cancels the migration statement `client` runs (pg_cancel_backend from a second connection); returns the unsubscribe. */
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

  private async underLock<T>(
    at: EngineSchema,
    command: string,
    signal: AbortSignal | undefined,
    work: (lock: HeldLock) => Promise<T>,
  ): Promise<T> {
    const lock = await this.takeLock(at, command, signal);
    try {
      return await work(lock);
    } finally {
      await lock
        .release()
        .catch((error: unknown) => this.logger.warn(`could not release the migration lock: ${messageOf(error)}`));
    }
  }

  private takeLock(at: EngineSchema, command: string, signal: AbortSignal | undefined): Promise<HeldLock> {
    return acquireLock(newLockOwner(), this.lockOptions, {
      connect: this.connect,
      schema: at,
      command,
      signal,
      clock: this.clock,
      logger: this.logger,
      retry: this.retryOptions,
    });
  }

  /** apply-complete is for a fresh database: no table in the engine's schema but the lock's. */
  private async assertEmpty(client: SqlClient, at: EngineSchema): Promise<void> {
    const { rows } = await client.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables
        WHERE table_catalog = current_database() AND table_schema = $1 AND table_type = 'BASE TABLE' AND table_name <> $2
        ORDER BY table_name LIMIT 5`,
      [at.name, LOCK_TABLE],
    );
    const found = rows.map((r) => r.table_name);
    if (found.length > 0) {
      throw new UsageError(
        `refusing to apply the complete schema: the database is not empty (schema ${at.name} has ${found.join(", ")})`,
        { hint: "apply-complete is for a fresh database; use `dbmigrate up` for an existing one" },
      );
    }
  }

  private stepDeps() {
    return { clock: this.clock, logger: this.logger, options: this.retryOptions };
  }
}
/** The live schema against the snapshot recorded in `at` (the engine's tables left out). Reads only. */
function driftAt(client: SqlClient, at: EngineSchema): Promise<SchemaDriftReport> {
  return schemaDrift(client, { engineTables: ENGINE_TABLES, snapshotTable: at.snapshots });
}

/** A stop between migrations (or before the steps after them): everything before it is applied and recorded. */
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
