/**
 * The migration lock: one row with an owner and a lease expiry, renewed while the run lasts and
 * taken over only after it expires. CockroachDB's advisory-lock functions are stubs that always
 * succeed, so a row is the lock that works on both engines (docs/adrs/0003). A holder that cannot
 * prove its lease stops before its next statement, and the history writes that matter are fenced
 * on the lease in the database (docs/adrs/0010-lock-fencing.md).
 */
import * as os from "node:os";
import { randomUUID } from "node:crypto";
import type { Clock, Logger } from "./clock";
import type { Connect, SqlClient } from "./db";
import { createIfMissing } from "./db";
import { LOCK_TABLE, type EngineSchema } from "./engine-schema";
import { LockError, messageOf, sqlStateOf, StoppedError } from "./errors";
import { withRetry, type RetryOptions } from "./retry";
import { UNDEFINED_COLUMN, UNDEFINED_TABLE } from "./sqlstate";

export { LOCK_TABLE };
/** The one lock row's name. */
export const LOCK_NAME = "dbmigrate";

/** How the lock behaves; every field has a default. */
export interface LockOptions {
  /** How long a lease lasts without renewal, ms. A holder that dies frees the lock after this. */
  leaseMs: number;
  /** How long to wait for another holder before giving up, ms. */
  waitTimeoutMs: number;
  /** How often a waiter tries again, ms. */
  pollIntervalMs: number;
}

/** Defaults: a 60 s lease renewed every 20 s; wait up to 2 minutes, trying each second. */
export const DEFAULT_LOCK: LockOptions = { leaseMs: 60_000, waitTimeoutMs: 120_000, pollIntervalMs: 1_000 };

const createLock = (at: EngineSchema) => `CREATE TABLE IF NOT EXISTS ${at.lock} (
    id UUID NOT NULL DEFAULT gen_random_uuid(),
    name TEXT NOT NULL,
    owner TEXT NOT NULL,
    acquired_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    lease_expires_at TIMESTAMPTZ NOT NULL,
    command TEXT NULL,
    CONSTRAINT schema_migrations_lock_pkey PRIMARY KEY (id),
    CONSTRAINT schema_migrations_lock_name_key UNIQUE (name)
)`;

// Takes the row when it is free, expired, or already ours. The database's clock decides expiry,
// so runners on machines with skewed clocks agree.
const take = (at: EngineSchema) => `INSERT INTO ${at.lock} (name, owner, acquired_at, lease_expires_at, command)
VALUES ($1, $2, now(), now() + ($3::INT8 * INTERVAL '1 millisecond'), $4)
ON CONFLICT (name) DO UPDATE
   SET owner = excluded.owner, acquired_at = excluded.acquired_at, lease_expires_at = excluded.lease_expires_at,
       command = excluded.command
 WHERE ${at.lock}.lease_expires_at < now() OR ${at.lock}.owner = excluded.owner
RETURNING owner`;

const renewSql = (
  at: EngineSchema,
) => `UPDATE ${at.lock} SET lease_expires_at = now() + ($3::INT8 * INTERVAL '1 millisecond')
 WHERE name = $1 AND owner = $2`;

/**
 * A SQL condition true only while `owner` (bound as `$ownerParam`) holds a live lease, by the
 * database's clock at the moment the statement runs. `lockRow` also locks the lock row until the
 * transaction ends (PostgreSQL path), so nobody can take the lease over before that commit.
 */
export function leaseIsLive(at: EngineSchema, ownerParam: number, lockRow: boolean): string {
  return `EXISTS (SELECT 1 FROM ${at.lock} WHERE name = '${LOCK_NAME}' AND owner = $${ownerParam} AND lease_expires_at > clock_timestamp()${lockRow ? " FOR SHARE" : ""})`;
}

/** A held lock. */
export interface HeldLock {
  /** Who holds it: host, pid and a random part. */
  readonly owner: string;
  /** The engine's schema, where the lock and the history live. */
  readonly schema: EngineSchema;
  /**
   * Throws {@link LockError} unless the lease is provably ours: a renewal failed or found it taken
   * over, or the last successful renewal is so old that the lease may have expired.
   */
  assertHeld(): void;
  /** Records that a fenced write found the lease gone: {@link HeldLock.assertHeld} throws from now on. */
  markLost(why: string): void;
  /** Stops renewing and deletes the row. */
  release(): Promise<void>;
}

/**
 * A fresh owner id for this process: `host:pid:random`, readable in `schema_migrations_lock` and
 * in wait messages. It is also the lease's fencing token: every fenced write names it, so a
 * holder whose row was taken over or broken (`dbmigrate unlock --force`) can write nothing more.
 */
export function newLockOwner(): string {
  return `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/** The host and pid an owner id names (see {@link newLockOwner}); null parts when it is not of that form. */
export function ownerParts(owner: string): { host: string | null; pid: number | null } {
  const match = /^(.+):(\d+):[0-9a-f]+$/.exec(owner);
  return match ? { host: match[1], pid: Number(match[2]) } : { host: null, pid: null };
}

/** Dependencies of {@link acquireLock}. */
export interface LockDeps {
  connect: Connect;
  /** Where the lock table lives (the history's schema). */
  schema: EngineSchema;
  clock: Clock;
  logger: Logger;
  retry: RetryOptions;
  /** The command taking it (`up`, `resolve`, `drop`, ...): shown to whoever waits, by `status` and `unlock`. */
  command?: string;
  /** Aborted (SIGINT, SIGTERM): stop waiting. */
  signal?: AbortSignal;
}

/**
 * Waits for and takes the lock on its own connection (so renewals are not queued behind a long
 * migration on the main connection) and renews it every third of the lease until released.
 */
export async function acquireLock(owner: string, options: LockOptions, deps: LockDeps): Promise<HeldLock> {
  const client = await deps.connect();
  try {
    await createIfMissing(client, createLock(deps.schema));
    const deadline = deps.clock.now() + options.waitTimeoutMs;
    let lastSaid = 0;
    for (;;) {
      if (deps.signal?.aborted) throw stoppedWaiting(deps.signal);
      const taken = await withRetry(
        "taking the migration lock",
        () => takeLock(client, deps.schema, owner, options.leaseMs, deps.command ?? null),
        { clock: deps.clock, logger: deps.logger, options: deps.retry },
      );
      if ((taken.rowCount ?? 0) > 0) break;
      const holder = await currentHolder(client, deps.schema);
      const now = deps.clock.now();
      if (now >= deadline) {
        throw new LockError(
          `timed out after ${options.waitTimeoutMs} ms waiting for the migration lock held by ${holder}`,
          {
            hint: "Wait for that run to finish, or if it died, for its lease to expire (`dbmigrate unlock` shows it; `unlock --force` breaks it once you know it is dead); raise --lock-timeout to wait longer",
          },
        );
      }
      if (now - lastSaid >= 10_000) {
        deps.logger.info(`waiting for the migration lock held by ${holder}`);
        lastSaid = now;
      }
      await deps.clock.sleep(Math.min(options.pollIntervalMs, Math.max(0, deadline - now)));
    }
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  return holdLock(client, owner, options, deps, deps.clock.now());
}

/** Takes the row (see TAKE); a lock table made before the `command` column gets it first. */
async function takeLock(client: SqlClient, at: EngineSchema, owner: string, leaseMs: number, command: string | null) {
  try {
    return await client.query(take(at), [LOCK_NAME, owner, leaseMs, command]);
  } catch (error) {
    if (sqlStateOf(error) !== UNDEFINED_COLUMN) throw error;
    await client.query(`ALTER TABLE ${at.lock} ADD COLUMN IF NOT EXISTS command TEXT NULL`);
    return client.query(take(at), [LOCK_NAME, owner, leaseMs, command]);
  }
}

function stoppedWaiting(signal: AbortSignal): StoppedError {
  const name = String(signal.reason) as NodeJS.Signals;
  return new StoppedError(name, `stopped on ${name} while waiting for the migration lock`, {
    hint: "Nothing was applied or recorded",
  });
}

/** The lock row: who took it, for which command, until when, and whether that lease has already expired (by the database's clock). */
export interface LockHolder {
  owner: string;
  /** The holder's host and process id, from its owner id (null for an owner of another form). */
  host: string | null;
  pid: number | null;
  /** The command that took it; null for a row written before commands were recorded. */
  command: string | null;
  acquiredAt: Date;
  leaseExpiresAt: Date;
  /** The lease ran out: its runner died or lost its connection; the next run takes it over. */
  expired: boolean;
}

/** Who holds the lock and until when, or null when nobody does (or it was never taken). */
export async function readLockHolder(client: SqlClient, at: EngineSchema): Promise<LockHolder | null> {
  try {
    // `*`: a lock table made before the `command` column still answers.
    const { rows } = await client.query<{
      owner: string;
      command?: string | null;
      acquired_at: Date;
      lease_expires_at: Date;
      expired: boolean;
    }>(`SELECT *, lease_expires_at <= now() AS expired FROM ${at.lock} WHERE name = $1`, [LOCK_NAME]);
    if (rows.length === 0) return null;
    const row = rows[0];
    return {
      owner: row.owner,
      ...ownerParts(row.owner),
      command: row.command ?? null,
      acquiredAt: row.acquired_at,
      leaseExpiresAt: row.lease_expires_at,
      expired: row.expired,
    };
  } catch (error) {
    if (sqlStateOf(error) === UNDEFINED_TABLE) return null; // never locked: no table yet
    throw error;
  }
}

/**
 * `owner, running \`dbmigrate up\` (lease until T)` or `... (lease expired at T)`: the one wording for
 * messages, `status` and `unlock`.
 */
export function describeHolder(holder: LockHolder | null): string {
  if (!holder) return "nobody (it was just released)";
  const at = holder.leaseExpiresAt.toISOString();
  const running = holder.command ? `, running \`dbmigrate ${holder.command}\`` : "";
  return `${holder.owner}${running} (${holder.expired ? "lease expired at" : "lease until"} ${at})`;
}

/**
 * Breaks the lock held by `owner` (`dbmigrate unlock --force`): deletes its row, only if that
 * owner still holds it (a lock taken meanwhile by someone else is never broken). The old
 * holder's renewals then find no row and its fenced history writes fail: it stops before its
 * next statement. Returns whether a row was deleted.
 */
export async function breakLock(client: SqlClient, at: EngineSchema, owner: string): Promise<boolean> {
  const result = await client.query(`DELETE FROM ${at.lock} WHERE name = $1 AND owner = $2`, [LOCK_NAME, owner]);
  return (result.rowCount ?? 0) > 0;
}

async function currentHolder(client: SqlClient, at: EngineSchema): Promise<string> {
  return describeHolder(await readLockHolder(client, at));
}

function holdLock(client: SqlClient, owner: string, options: LockOptions, deps: LockDeps, takenAt: number): HeldLock {
  // Why the lease can no longer be proven, once it cannot.
  let lost: string | undefined;
  // The lease runs at least `leaseMs` from when the last successful renewal was sent.
  let provenUntil = takenAt + options.leaseMs;
  // Stop a little before the proven end: a statement should not start in the lease's last moments.
  const margin = Math.floor(options.leaseMs / 6);
  let renewing: Promise<unknown> = Promise.resolve();
  const renew = async () => {
    const sent = deps.clock.now();
    try {
      const r = await withRetry(
        "renewing the migration lock",
        () => client.query(renewSql(deps.schema), [LOCK_NAME, owner, options.leaseMs]),
        {
          clock: deps.clock,
          logger: deps.logger,
          options: deps.retry,
        },
      );
      if ((r.rowCount ?? 0) === 0) lost ??= "another runner took it over after its lease expired";
      else provenUntil = Math.max(provenUntil, sent + options.leaseMs);
    } catch (error) {
      lost ??= `renewing it failed: ${messageOf(error)}`;
      deps.logger.warn(`could not renew the migration lock: ${messageOf(error)}`);
    }
  };
  const timer = setInterval(
    () => {
      if (lost === undefined) renewing = renew();
    },
    Math.max(1, Math.floor(options.leaseMs / 3)),
  );
  // A renewal timer must not keep a finished CLI alive.
  timer.unref();
  return {
    owner,
    schema: deps.schema,
    assertHeld() {
      const why =
        lost ??
        (deps.clock.now() >= provenUntil - margin
          ? `its lease may have expired (no successful renewal since ${new Date(provenUntil - options.leaseMs).toISOString()})`
          : undefined);
      if (why !== undefined) {
        throw new LockError(`lost the migration lock (${deps.schema.lock} '${LOCK_NAME}', owner ${owner}): ${why}`, {
          hint: "This run stopped before its next statement and records nothing more; run `dbmigrate status`, then `dbmigrate up` again",
        });
      }
    },
    markLost(why) {
      lost ??= why;
    },
    async release() {
      clearInterval(timer);
      await renewing;
      try {
        await client.query(`DELETE FROM ${deps.schema.lock} WHERE name = $1 AND owner = $2`, [LOCK_NAME, owner]);
      } finally {
        await client.end().catch(() => undefined);
      }
    },
  };
}
