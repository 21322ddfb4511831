/**
 * The migration lock: one row with an owner and a lease expiry, renewed while the run lasts and
 * taken over only after it expires. CockroachDB's advisory-lock functions are stubs that always
 * succeed, so a row is the lock that works on both engines (docs/adrs/0003).
 */
import * as os from "node:os";
import { randomUUID } from "node:crypto";
import type { Clock, Logger } from "./clock";
import type { Connect, SqlClient } from "./db";
import { LockError, sqlStateOf } from "./errors";
import { createIfMissing } from "./history";
import { withRetry, type RetryOptions } from "./retry";

/** The lock table's name. */
export const LOCK_TABLE = "schema_migrations_lock";
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

const CREATE_LOCK = `CREATE TABLE IF NOT EXISTS ${LOCK_TABLE} (
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
const TAKE = `INSERT INTO ${LOCK_TABLE} (name, owner, acquired_at, lease_expires_at)
VALUES ($1, $2, now(), now() + ($3::INT8 * INTERVAL '1 millisecond'))
ON CONFLICT (name) DO UPDATE
   SET owner = excluded.owner, acquired_at = excluded.acquired_at, lease_expires_at = excluded.lease_expires_at
 WHERE ${LOCK_TABLE}.lease_expires_at < now() OR ${LOCK_TABLE}.owner = excluded.owner
RETURNING owner`;

const RENEW = `UPDATE ${LOCK_TABLE} SET lease_expires_at = now() + ($3::INT8 * INTERVAL '1 millisecond')
 WHERE name = $1 AND owner = $2`;

/** A held lock. */
export interface HeldLock {
  /** Who holds it: host, pid and a random part. */
  readonly owner: string;
  /** Throws {@link LockError} if a renewal found the lease taken over. */
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
    await createIfMissing(client, CREATE_LOCK);
    const deadline = deps.clock.now() + options.waitTimeoutMs;
    let lastSaid = 0;
    for (;;) {
      const taken = await withRetry(
        "taking the migration lock",
        () => client.query(TAKE, [LOCK_NAME, owner, options.leaseMs]),
        { clock: deps.clock, logger: deps.logger, options: deps.retry },
      );
      if ((taken.rowCount ?? 0) > 0) break;
      const holder = await currentHolder(client);
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
  return holdLock(client, owner, options, deps.logger);
}

/** Who holds the lock and until when, or null when nobody does (or it was never taken). */
export async function readLockHolder(client: SqlClient): Promise<{ owner: string; leaseExpiresAt: Date } | null> {
  try {
    const { rows } = await client.query<{ owner: string; lease_expires_at: Date }>(
      `SELECT owner, lease_expires_at FROM ${LOCK_TABLE} WHERE name = $1`,
      [LOCK_NAME],
    );
    return rows.length === 0 ? null : { owner: rows[0].owner, leaseExpiresAt: rows[0].lease_expires_at };
  } catch (error) {
    if (sqlStateOf(error) === "42P01") return null; // never locked: no table yet
    throw error;
  }
}

async function currentHolder(client: SqlClient): Promise<string> {
  const holder = await readLockHolder(client);
  return holder
    ? `${holder.owner} (lease until ${holder.leaseExpiresAt.toISOString()})`
    : "nobody (it was just released)";
}

function holdLock(client: SqlClient, owner: string, options: LockOptions, logger: Logger): HeldLock {
  let lost = false;
  let renewing: Promise<unknown> = Promise.resolve();
  const timer = setInterval(
    () => {
      renewing = client
        .query(RENEW, [LOCK_NAME, owner, options.leaseMs])
        .then((r) => {
          if ((r.rowCount ?? 0) === 0) lost = true;
        })
        .catch((error: unknown) => logger.warn(`could not renew the migration lock: ${String(error)}`));
    },
    Math.max(1, Math.floor(options.leaseMs / 3)),
  );
  // A renewal timer must not keep a finished CLI alive.
  timer.unref();
  return {
    owner,
    assertHeld() {
      if (lost) {
        throw new LockError(`the migration lock was taken over by another runner after its lease expired`, {
          hint: "Nothing more was applied; run `dbmigrate status`, then `dbmigrate up` again",
        });
      }
    },
    async release() {
      clearInterval(timer);
      await renewing;
      try {
        await client.query(`DELETE FROM ${LOCK_TABLE} WHERE name = $1 AND owner = $2`, [LOCK_NAME, owner]);
      } finally {
        await client.end().catch(() => undefined);
      }
    },
  };
}
