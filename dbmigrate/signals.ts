/**
 * SIGINT (Ctrl-C) and SIGTERM (a CI cancel, a pod eviction) during a command that writes: the
 * first asks the engine to stop cleanly (an aborted `AbortSignal` whose reason is the signal's
 * name: the statement in flight is finished or cancelled, where it stopped is recorded, the lock
 * released); a second exits at once, with 128 + the signal's number, leaving the lock to its
 * lease.
 */

/** The signals that stop a run, and their numbers (exit code 128 + n). */
export const STOP_SIGNALS = { SIGINT: 2, SIGTERM: 15 } as const;

type StopSignal = keyof typeof STOP_SIGNALS;

/**
 * Runs `work` with an `AbortSignal` that the first SIGINT or SIGTERM aborts; a second one calls
 * `exitNow` (default `process.exit`) after `say` tells what it means. The handlers are removed when
 * `work` ends.
 */
export async function stopOnSignals<T>(
  say: (line: string) => void,
  work: (signal: AbortSignal) => Promise<T>,
  exitNow: (code: number) => void = (code) => process.exit(code),
): Promise<T> {
  const controller = new AbortController();
  const handlers = new Map<StopSignal, () => void>();
  for (const name of Object.keys(STOP_SIGNALS) as StopSignal[]) {
    const handler = () => {
      // The first is said once, by the run's own last line ("stopped on SIGINT: ...").
      if (!controller.signal.aborted) {
        controller.abort(name);
        return;
      }
      say(
        `${name} again: exiting now; the migration lock is left to its lease, and \`dbmigrate status\` shows where it stopped`,
      );
      exitNow(128 + STOP_SIGNALS[name]);
    };
    handlers.set(name, handler);
    process.on(name, handler);
  }
  try {
    return await work(controller.signal);
  } finally {
    for (const [name, handler] of handlers) process.off(name, handler);
  }
}
