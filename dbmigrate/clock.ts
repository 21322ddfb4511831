/** Time, injected so tests can control waiting. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms` milliseconds. */
  sleep(ms: number): Promise<void>;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Where progress goes; the CLI prints it, the Pulumi provider logs it. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
}

/** Says nothing. */
export const silentLogger: Logger = { info: () => undefined, warn: () => undefined };
