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
import { LockError, messageOf, sqlStateOf } from "./errors";
import { withRetry, type RetryOptions } from "./retry";
import { UNDEFINED_TABLE } from "./sqlstate";

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
    CONSTRAINT schema_migrations_lock_pkey PRIMARY KEY (id),
    CONSTRAINT schema_migrations_lock_name_key UNIQUE (name)
)`;

// Takes the row when it is free, expired, or already ours. The database's clock decides expiry,
// so runners on machines with skewed clocks agree.
const take = (at: EngineSchema) => `INSERT INTO ${at.lock} (name, owner, acquired_at, lease_expires_at)
VALUES ($1, $2, now(), now() + ($3::INT8 * INTERVAL '1 millisecond'))
ON CONFLICT (name) DO UPDATE
   SET owner = excluded.owner, acquired_at = excluded.acquired_at, lease_expires_at = excluded.lease_expires_at
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
  /** Stops renewing and deletes the row. */
  release(): Promise<void>;
}

/** A fresh owner id for this process: readable in `schema_migrations_lock` and in wait messages. */
export function newLockOwner(): string {
  return `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/** Dependencies of {@link acquireLock}. */
export interface LockDeps {
  connect: Connect;
  /** Where the lock table lives (the history's schema). */
  schema: EngineSchema;
  clock: Clock;
  logger: Logger;
  retry: RetryOptions;
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
      const taken = await withRetry(
        "taking the migration lock",
        () => client.query(take(deps.schema), [LOCK_NAME, owner, options.leaseMs]),
        { clock: deps.clock, logger: deps.logger, options: deps.retry },
      );
      if ((taken.rowCount ?? 0) > 0) break;
      const holder = await currentHolder(client, deps.schema);
      const now = deps.clock.now();
      if (now >= deadline) {
        throw new LockError(
          `timed out after ${options.waitTimeoutMs} ms waiting for the migration lock held by ${holder}`,
          {
            hint: "Wait for that run to finish, or if it died, for its lease to expire; raise --lock-timeout to wait longer",
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

/** The lock row: who took it, until when, and whether that lease has already expired (by the database's clock). */
export interface LockHolder {
  owner: string;
  leaseExpiresAt: Date;
  /** The lease ran out: its runner died or lost its connection; the next run takes it over. */
  expired: boolean;
}

/** Who holds the lock and until when, or null when nobody does (or it was never taken). */
export async function readLockHolder(client: SqlClient, at: EngineSchema): Promise<LockHolder | null> {
  try {
    const { rows } = await client.query<{ owner: string; lease_expires_at: Date; expired: boolean }>(
      `SELECT owner, lease_expires_at, lease_expires_at <= now() AS expired FROM ${at.lock} WHERE name = $1`,
      [LOCK_NAME],
    );
    return rows.length === 0
      ? null
      : { owner: rows[0].owner, leaseExpiresAt: rows[0].lease_expires_at, expired: rows[0].expired };
  } catch (error) {
    if (sqlStateOf(error) === UNDEFINED_TABLE) return null; // never locked: no table yet
    throw error;
  }
}

/** `owner (lease until T)` or `owner (lease expired at T)`: the one wording for messages and `status`. */
export function describeHolder(holder: LockHolder | null): string {
  if (!holder) return "nobody (it was just released)";
  const at = holder.leaseExpiresAt.toISOString();
  return holder.expired ? `${holder.owner} (lease expired at ${at})` : `${holder.owner} (lease until ${at})`;
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
