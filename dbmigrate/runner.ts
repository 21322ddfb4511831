/**
 * The migration engine: status, plan, up, apply-complete, verify, resolve and drop. It takes its
 * I/O injected (connections, files, clock, logger) and imports nothing from Pulumi; the CLI and
 * the Pulumi provider are thin adapters over it.
 */
import * as os from "node:os";
import * as path from "node:path";
import { silentLogger, systemClock, type Clock, type Logger } from "./clock";
import { DEFAULT_COMPLETE_SCHEMA_FILE, parseCompleteSchema } from "./complete-schema";
import { withClient, type Connect, type SqlClient } from "./db";
import {
  featureRequirement,
  parseServerVersion,
  runsMigrationInTransaction,
  supportsFeature,
  type Engine,
  type ServerInfo,
} from "./dialect";
import { DbMigrateError, messageOf, MigrationError, PlanError, sqlStateOf, UsageError } from "./errors";
import {
  ensureHistoryTable,
  forgetDirty,
  HISTORY_TABLE,
  readHistory,
  recordApplied,
  recordFinished,
  recordStarted,
  type HistoryEntry,
  type HistoryRow,
} from "./history";
import {
  acquireLock,
  DEFAULT_LOCK,
  LOCK_TABLE,
  newLockOwner,
  readLockHolder,
  type HeldLock,
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
import { DEFAULT_RETRY, withRetry, type RetryOptions } from "./retry";
import {
  applySeed,
  DEFAULT_SEED,
  readSeed,
  seedMatches,
  validateSeed,
  type SeedParams,
  type SeedResult,
  type SeedState,
} from "./seed";
import { lineOfPosition, type Statement } from "./sql/parse";
import { APPLICATION_TABLES } from "./tables";

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
  /** Force the engine instead of detecting it from `SELECT version()` (tests run the CockroachDB path on PostgreSQL). */
  engine?: Engine;
  /** The default tenant. Default {@link DEFAULT_SEED}. */
  seed?: SeedParams;
  /** Lock lease and waiting. Defaults {@link DEFAULT_LOCK}. */
  lock?: Partial<LockOptions>;
  /** 40001 retries. Defaults {@link DEFAULT_RETRY}. */
  retry?: Partial<RetryOptions>;
  /** Apply new files numbered below the latest applied one. Default false. */
  allowOutOfOrder?: boolean;
  /** Recorded in `schema_migrations.applied_by` and the audit log. Default `user@host`. */
  appliedBy?: string;
  /** Default: the real clock. */
  clock?: Clock;
  /** Progress and warnings. Default: silent. */
  logger?: Logger;
}

/** One migration that `up` or `applyComplete` ran (or skipped). */
export interface AppliedMigration {
  version: number;
  name: string;
  file: string;
  checksum: string;
  /** Wall time of its statements, ms. */
  durationMs: number;
  /** `skipped` when the server lacked a feature it requires. */
  outcome: "applied" | "skipped";
  skippedReason?: string;
}

/** What `status` reports. */
export interface StatusReport {
  engine: Engine;
  serverVersion: string;
  migrations: PlanEntry[];
  /** Number of pending migrations. */
  pending: number;
  /** Problems that stop `up` (changed, missing, dirty, out of order). */
  problems: string[];
  seed: SeedState;
  /** Who holds the migration lock right now, if anyone (a run in progress, or a dead one's lease). */
  lock: { owner: string; leaseExpiresAt: Date } | null;
}

/** What `up` and `applyComplete` return. */
export interface UpResult {
  engine: Engine;
  serverVersion: string;
  /** True for `--dry-run`: nothing was changed and `applied` is empty. */
  dryRun: boolean;
  /** What ran now, in order. */
  applied: AppliedMigration[];
  /** For a dry run, what would run. */
  pending: PlanEntry[];
  /** Every migration's state after the run. */
  migrations: PlanEntry[];
  /** Highest applied (or skipped) version after the run; 0 for none. */
  schemaVersion: number;
  /** The default tenant's ids; null on a dry run whose schema does not exist yet. */
  seed: SeedResult | null;
}

/** The engine. One instance per target database; methods open and close their own connections. */
export class Migrator {
  private readonly connect: Connect;
  private readonly files: FileReader;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly lockOptions: LockOptions;
  private readonly retryOptions: RetryOptions;
  private readonly seedParams: SeedParams;
  private readonly appliedBy: string;

  constructor(private readonly options: MigratorOptions) {
    this.connect = options.connect;
    this.files = options.files ?? nodeFileReader;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.lockOptions = withDefaults(DEFAULT_LOCK, options.lock);
    this.retryOptions = withDefaults(DEFAULT_RETRY, options.retry);
    this.seedParams = options.seed ?? DEFAULT_SEED;
    this.appliedBy = options.appliedBy ?? `${os.userInfo().username}@${os.hostname()}`;
    validateSeed(this.seedParams);
  }

  /** The migration files, read and checksummed. */
  loadMigrations(): Promise<Migration[]> {
    return loadMigrations(this.options.migrationsDir ?? DEFAULT_MIGRATIONS_DIR, this.files);
  }

  /** Each migration's state, the server, and whether the default tenant exists. Changes nothing. */
  async status(): Promise<StatusReport> {
    const files = await this.loadMigrations();
    const { history, ...rest } = await this.inspect();
    const plan = planMigrations(files, history, this.planOptions());
    return { ...rest, migrations: plan.entries, pending: plan.pending.length, problems: plan.problems };
  }

  /**
   * The server, the raw history (null before the first run), the default tenant's rows and the
   * lock holder, on one connection. Changes nothing.
   */
  async inspect(): Promise<
    Omit<StatusReport, "migrations" | "pending" | "problems"> & { history: HistoryRow[] | null }
  > {
    return withClient(this.connect, async (client) => {
      const { engine, serverVersion } = await this.server(client);
      const history = await readHistory(client);
      const seed = await this.readSeedIfSchema(client);
      const lock = await readLockHolder(client);
      return { engine, serverVersion, history, seed, lock };
    });
  }

  /** The problems `verify` reports: changed, missing or dirty applied migrations (and out-of-order files). */
  async verify(): Promise<string[]> {
    return (await this.status()).problems;
  }

  /**
   * Applies every pending migration under the lock, then seeds the default tenant and writes one
   * audit row per applied migration. When nothing is pending and the seed matches, it reads the
   * history once, takes no lock and changes nothing. `dryRun` reports what would run, no lock.
   */
  async up(options: { dryRun?: boolean } = {}): Promise<UpResult> {
    const files = await this.loadMigrations();
    return withClient(this.connect, async (client) => {
      const server = await this.server(client);
      const history = await readHistory(client);
      const plan = this.checkedPlan(files, history);
      if (options.dryRun) {
        const seed = history === null ? null : toSeedResult(await this.readSeedIfSchema(client));
        return this.result(server, true, [], plan, seed);
      }
      if (plan.pending.length === 0 && history !== null) {
        const state = await readSeed(client, this.seedParams);
        if (seedMatches(state, this.seedParams) && state.customerId && state.siteId) {
          this.logger.info("nothing to apply: schema and seed are up to date");
          return this.result(server, false, [], plan, toSeedResult(state));
        }
      }
      return this.underLock(async (lock) => {
        await ensureHistoryTable(client);
        // Re-read under the lock: another runner may have applied what we saw pending.
        const lockedPlan = this.checkedPlan(files, await readHistory(client));
        const applied = await this.applyAll(client, server, lockedPlan.pending, lock, false);
        const seed = await this.seedAndAudit(client, server, applied);
        const finalPlan = planMigrations(files, await readHistory(client), this.planOptions());
        return this.result(server, false, applied, finalPlan, seed);
      });
    });
  }

  /**
   * For an empty database only: applies the complete schema, records every migration it contains
   * as applied (a baseline), and seeds. Refuses when any application table exists.
   */
  async applyComplete(): Promise<UpResult> {
    const file = this.options.completeSchemaFile ?? DEFAULT_COMPLETE_SCHEMA_FILE;
    let text: string;
    try {
      text = await this.files.read(file);
    } catch (error) {
      throw new UsageError(`cannot read the complete schema`, {
        file,
        cause: error,
        hint: "Run from the project root or pass --complete-schema",
      });
    }
    const sections = await parseCompleteSchema(text, file);
    const files = await this.loadMigrations();
    for (const section of sections) {
      const source = files.find((m) => m.version === section.version);
      if (!source || source.checksum !== section.checksum) {
        throw new UsageError(
          `the complete schema is stale: its section ${section.file} differs from ${path.join(this.options.migrationsDir ?? DEFAULT_MIGRATIONS_DIR, section.file)}`,
          {
            file,
            hint: "Regenerate it with `dbmigrate build-complete` and commit it",
          },
        );
      }
    }
    return withClient(this.connect, async (client) => {
      const server = await this.server(client);
      return this.underLock(async (lock) => {
        await this.assertEmpty(client);
        await ensureHistoryTable(client);
        const applied = await this.applyAll(client, server, sections, lock, true);
        const seed = await this.seedAndAudit(client, server, applied);
        const finalPlan = planMigrations(files, await readHistory(client), this.planOptions());
        if (finalPlan.pending.length > 0) {
          this.logger.warn(
            `${finalPlan.pending.length} migration(s) newer than the complete schema are pending: run \`dbmigrate up\``,
          );
        }
        return this.result(server, false, applied, finalPlan, seed);
      });
    });
  }

  /**
   * Clears a dirty marker after a person checked the database: `applied` when every statement of
   * the migration took effect (or was completed by hand), `rolled-back` when none did (or they
   * were undone), so the next `up` runs it again.
   */
  async resolve(version: number, outcome: "applied" | "rolled-back"): Promise<void> {
    await withClient(this.connect, (client) =>
      this.underLock(async () => {
        const changed =
          outcome === "applied" ? await recordFinished(client, version, null) : await forgetDirty(client, version);
        if (changed === 0) {
          throw new UsageError(`migration ${pad(version)} is not dirty`, {
            hint: "Run `dbmigrate status` to see which migration is dirty",
          });
        }
        this.logger.info(`migration ${pad(version)} resolved as ${outcome}`);
      }),
    );
  }

  /** Runs read-only `work` on a connection of this engine's database (reports such as the ERD). */
  withConnection<T>(work: (client: SqlClient) => Promise<T>): Promise<T> {
    return withClient(this.connect, work);
  }

  /** Drops every application table, the history and the lock table: nothing of the schema is left. */
  async dropAll(): Promise<void> {
    await withClient(this.connect, async (client) => {
      const tables = [...APPLICATION_TABLES].reverse().join(", ");
      await client.query(`DROP TABLE IF EXISTS ${tables}, ${HISTORY_TABLE}, ${LOCK_TABLE} CASCADE`);
      this.logger.info("dropped every table of the schema, its history and its lock");
    });
  }

  private planOptions() {
    return { allowOutOfOrder: this.options.allowOutOfOrder ?? false };
  }

  private checkedPlan(files: Migration[], history: Awaited<ReturnType<typeof readHistory>>): Plan {
    const plan = planMigrations(files, history, this.planOptions());
    if (plan.problems.length > 0) {
      throw new PlanError(plan.problems, "Nothing was applied; `dbmigrate status` shows every migration's state");
    }
    return plan;
  }

  private async server(client: SqlClient): Promise<ServerInfo> {
    const { rows } = await client.query<{ version: string }>("SELECT version() AS version");
    const info = parseServerVersion(rows[0].version);
    return this.options.engine ? { ...info, engine: this.options.engine } : info;
  }

  private async underLock<T>(work: (lock: HeldLock) => Promise<T>): Promise<T> {
    const lock = await acquireLock(newLockOwner(), this.lockOptions, {
      connect: this.connect,
      clock: this.clock,
      logger: this.logger,
      retry: this.retryOptions,
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
        {
          hint: "apply-complete is for a fresh database; use `dbmigrate up` for an existing one",
        },
      );
    }
  }

  private async applyAll(
    client: SqlClient,
    server: ServerInfo,
    pending: Migration[],
    lock: HeldLock,
    baseline: boolean,
  ): Promise<AppliedMigration[]> {
    const applied: AppliedMigration[] = [];
    for (const migration of pending) {
      lock.assertHeld();
      const entry: HistoryEntry = { ...migration, appliedBy: this.appliedBy, baseline };
      const missing = migration.requires.filter((feature) => !supportsFeature(server, feature));
      if (missing.length > 0) {
        const reason = missing.map(featureRequirement).join("; ");
        await withRetry(
          `recording ${migration.file}`,
          () => recordApplied(client, { ...entry, skippedReason: reason }, 0),
          this.retryDeps(),
        );
        this.logger.warn(`skipped ${migration.file}: ${reason} (${server.serverVersion})`);
        applied.push({ ...pick(migration), durationMs: 0, outcome: "skipped", skippedReason: reason });
        continue;
      }
      this.logger.info(`applying ${migration.file} ...`);
      const durationMs = runsMigrationInTransaction(server.engine)
        ? await this.applyInTransaction(client, migration, entry, baseline)
        : await this.applyStatementByStatement(client, migration, entry, lock, baseline);
      this.logger.info(`applied ${migration.file} in ${durationMs} ms`);
      applied.push({ ...pick(migration), durationMs, outcome: "applied" });
    }
    return applied;
  }

  /** PostgreSQL: the migration's statements and its history row commit together, or not at all. */
  private async applyInTransaction(
    client: SqlClient,
    migration: Migration,
    entry: HistoryEntry,
    baseline: boolean,
  ): Promise<number> {
    // The statement that failed; undefined when the failure was not a statement's.
    let failedAt: Statement | undefined;
    try {
      return await withRetry(
        migration.file,
        async () => {
          const started = this.clock.now();
          await client.query("BEGIN");
          try {
            for (const statement of migration.statements) {
              failedAt = statement;
              await client.query(statement.sql);
            }
            failedAt = undefined;
            const durationMs = this.clock.now() - started;
            await recordApplied(client, entry, durationMs);
            await client.query("COMMIT");
            return durationMs;
          } catch (error) {
            await client.query("ROLLBACK").catch(() => undefined);
            throw error;
          }
        },
        this.retryDeps(),
      );
    } catch (error) {
      if (failedAt === undefined) throw error;
      throw this.statementError(
        error,
        migration,
        failedAt,
        baseline,
        "nothing of it was applied (it ran in one transaction)",
      );
    }
  }

  /**
   * CockroachDB: each statement on its own, retried on 40001; the history row is dirty from before
   * the first statement until after the last, so a crash in between is seen by the next run.
   */
  private async applyStatementByStatement(
    client: SqlClient,
    migration: Migration,
    entry: HistoryEntry,
    lock: HeldLock,
    baseline: boolean,
  ): Promise<number> {
    const retry = this.retryDeps();
    await withRetry(`marking ${migration.file} started`, () => recordStarted(client, entry), retry);
    const started = this.clock.now();
    for (const [index, statement] of migration.statements.entries()) {
      lock.assertHeld();
      try {
        await withRetry(`${migration.file} line ${statement.line}`, () => client.query(statement.sql), retry);
      } catch (error) {
        if (index === 0 && sqlStateOf(error) !== "XXA00") {
          // The first statement failed outright: nothing of the migration took effect.
          await forgetDirty(client, migration.version).catch(() => undefined);
          throw this.statementError(error, migration, statement, baseline, "nothing of it was applied");
        }
        throw this.statementError(
          error,
          migration,
          statement,
          baseline,
          sqlStateOf(error) === "XXA00"
            ? `the result is ambiguous (the statement may or may not have committed) and the migration is marked dirty: check, then \`dbmigrate resolve ${pad(migration.version)} --applied\` or \`--rolled-back\``
            : `statements before it were committed (CockroachDB runs each on its own) and the migration is marked dirty: fix the database or the file, then \`dbmigrate resolve ${pad(migration.version)} --applied\` or \`--rolled-back\``,
        );
      }
    }
    const durationMs = this.clock.now() - started;
    await withRetry(
      `marking ${migration.file} finished`,
      () => recordFinished(client, migration.version, durationMs),
      retry,
    );
    return durationMs;
  }

  private statementError(
    error: unknown,
    migration: Migration,
    statement: Statement,
    baseline: boolean,
    consequence: string,
  ): DbMigrateError {
    if (error instanceof DbMigrateError) return error;
    const line = lineOfPosition(statement, Number((error as { position?: string }).position));
    const file = baseline
      ? (this.options.completeSchemaFile ?? DEFAULT_COMPLETE_SCHEMA_FILE)
      : path.join(this.options.migrationsDir ?? DEFAULT_MIGRATIONS_DIR, migration.file);
    const where = baseline ? `section ${migration.file}, line ${line} of the section` : `line ${line}`;
    return new MigrationError(`migration ${migration.file} failed at ${where}: ${messageOf(error)}`, {
      file,
      line: baseline ? undefined : line,
      sqlState: sqlStateOf(error),
      cause: error,
      hint: `${consequence[0].toUpperCase()}${consequence.slice(1)}`,
    });
  }

  private async seedAndAudit(client: SqlClient, server: ServerInfo, applied: AppliedMigration[]): Promise<SeedResult> {
    // Its own transaction, after the DDL: on CockroachDB DDL after a write in one transaction fails (0A000).
    return withRetry(
      "seeding the default tenant",
      async () => {
        await client.query("BEGIN");
        try {
          const seed = await applySeed(client, this.seedParams);
          await this.audit(client, server, applied);
          await client.query("COMMIT");
          this.logger.info(
            `default tenant ready: customer '${this.seedParams.customerSlug}', site '${this.seedParams.siteSlug}'`,
          );
          return seed;
        } catch (error) {
          await client.query("ROLLBACK").catch(() => undefined);
          throw error;
        }
      },
      this.retryDeps(),
    );
  }

  private async audit(client: SqlClient, server: ServerInfo, applied: AppliedMigration[]): Promise<void> {
    if (applied.length === 0) return;
    const values: unknown[] = [this.appliedBy];
    const rows = applied.map((m) => {
      const changes = {
        file: m.file,
        version: m.version,
        checksum: m.checksum,
        outcome: m.outcome,
        durationMs: m.durationMs,
        engine: server.engine,
      };
      values.push(m.file, JSON.stringify(changes));
      return `('system', $1, 'schema.migrate', 'migration', $${values.length - 1}, $${values.length}::JSONB)`;
    });
    await client.query(
      `INSERT INTO audit_logs (actor_type, actor_id, action, resource_type, resource_id, changes) VALUES ${rows.join(", ")}`,
      values,
    );
  }

  private async readSeedIfSchema(client: SqlClient): Promise<SeedState> {
    try {
      return await readSeed(client, this.seedParams);
    } catch (error) {
      if (sqlStateOf(error) === "42P01") {
        return { customerId: null, customerName: null, siteId: null, siteName: null, primaryHostname: null };
      }
      throw error;
    }
  }

  private retryDeps() {
    return { clock: this.clock, logger: this.logger, options: this.retryOptions };
  }

  private result(
    server: ServerInfo,
    dryRun: boolean,
    applied: AppliedMigration[],
    plan: Plan,
    seed: SeedResult | null,
  ): UpResult {
    const done = plan.entries.filter((e) => e.state === "applied" || e.state === "skipped");
    return {
      engine: server.engine,
      serverVersion: server.serverVersion,
      dryRun,
      applied,
      pending: plan.entries.filter((e) => e.state === "pending"),
      migrations: plan.entries,
      schemaVersion: Math.max(0, ...done.map((e) => e.version)),
      seed,
    };
  }
}

/** `defaults` with the fields of `overrides` that are set (an explicit `undefined` keeps the default). */
function withDefaults<T extends object>(defaults: T, overrides: Partial<T> | undefined): T {
  const set = Object.entries(overrides ?? {}).filter(([, value]) => value !== undefined);
  return { ...defaults, ...Object.fromEntries(set) };
}

function pick(m: Migration): Pick<Migration, "version" | "name" | "file" | "checksum"> {
  return { version: m.version, name: m.name, file: m.file, checksum: m.checksum };
}

function toSeedResult(state: SeedState): SeedResult | null {
  if (!state.customerId || !state.siteId) return null;
  return { customerId: state.customerId, siteId: state.siteId };
}
