/**
 * Retries of SQLSTATE 40001 (serialization failure: CockroachDB asks the client to retry) and
 * 55P03 (lock_not_available: a migration's statement did not get its lock within the short
 * lock_timeout the engine sets) with capped exponential backoff and jitter. Only work that is safe to repeat is wrapped: a single
 * statement that did not commit, or a whole transaction that rolled back.
 */
import type { Clock, Logger } from "./clock";
import { sqlStateOf } from "./errors";
import { isRetryable } from "./sqlstate";

/** How retries behave; every field has a default. */
export interface RetryOptions {
  /** Attempts in all, the first included. Default {@link DEFAULT_RETRY.maxAttempts}. */
  maxAttempts: number;
  /** Delay before the first retry, in ms; doubles each time. */
  baseDelayMs: number;
  /** Upper bound of one delay, in ms. */
  maxDelayMs: number;
}

/** Defaults: 8 attempts, 50 ms doubling up to 2 s (about 6 s of waiting at worst). */
export const DEFAULT_RETRY: RetryOptions = { maxAttempts: 8, baseDelayMs: 50, maxDelayMs: 2000 };

/** The delay before retry number `attempt` (1-based): exponential, capped, with up to 50 % jitter. */
export function backoffDelay(attempt: number, options: RetryOptions, random: () => number = Math.random): number {
  const exponential = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(exponential / 2 + (exponential / 2) * random());
}

/** What {@link withRetry} needs. */
export interface RetryDeps {
  clock: Clock;
  logger: Logger;
  options: RetryOptions;
}

/** Runs `work`, retrying it on 40001 and 55P03 as `options` allow; `what` names it in the log. */
export async function withRetry<T>(what: string, work: () => Promise<T>, deps: RetryDeps): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!isRetryable(error) || attempt >= deps.options.maxAttempts) throw error;
      const delay = backoffDelay(attempt, deps.options);
      deps.logger.warn(
        `retrying ${what} after SQLSTATE ${sqlStateOf(error)} (attempt ${attempt + 1}/${deps.options.maxAttempts}, in ${delay} ms)`,
      );
      await deps.clock.sleep(delay);
    }
  }
}
