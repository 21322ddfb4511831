/**
 * The one output layer of the CLI, the Pulumi provider and the scripts: results to stdout,
 * progress and the failure line to stderr, every line through one {@link Redactor}; with `--json`
 * a failure also puts `{ "error": { ... } }` on stdout so a script always gets JSON.
 */
import type { Logger } from "./clock";
import { errorJson, toDbMigrateError } from "./errors";
import { Redactor } from "./redact";

/** Where text goes; the process streams by default, a buffer in tests. */
export interface Sinks {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** Output for one program (`dbmigrate`, `local`, ...). */
export interface Output {
  readonly redactor: Redactor;
  /** Progress and warnings on stderr. */
  readonly logger: Logger;
  /** One result line on stdout. */
  line(text: string): void;
  /** A result as pretty JSON on stdout. */
  json(value: unknown): void;
  /**
   * Reports a failure: one line on stderr (`<program>: <what failed>[ (file)][ [SQLSTATE x]]. <hint>`),
   * the cause's stack with `verbose`, and with `json` the error object on stdout. Returns the exit code.
   */
  fail(error: unknown, options?: { json?: boolean; verbose?: boolean }): number;
}

/** The process's own streams. */
export const processSinks: Sinks = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** A logger that writes redacted lines to `stderr`, each after `prefix`: the one logger of every host. */
export function createLogger(stderr: (text: string) => void, redactor: Redactor, prefix = ""): Logger {
  const say = (text: string) => stderr(redactor.redact(prefix + text) + "\n");
  return { info: (m) => say(m), warn: (m) => say(`warning: ${m}`) };
}

/** Output for `program`; `program` prefixes the failure line (empty: no prefix, for the provider). */
export function createOutput(program: string, sinks: Sinks = processSinks, redactor = new Redactor()): Output {
  const out = (text: string) => sinks.stdout(redactor.redact(text) + "\n");
  const err = (text: string) => sinks.stderr(redactor.redact(text) + "\n");
  return {
    redactor,
    logger: createLogger(sinks.stderr, redactor),
    line: out,
    json: (value) => out(JSON.stringify(value, null, 2)),
    fail(error, options = {}) {
      const known = toDbMigrateError(error);
      err(program ? `${program}: ${known.describe()}` : known.describe());
      if (options.verbose && known.cause !== undefined) {
        const cause = known.cause as Error;
        err(String(cause?.stack ?? cause));
      }
      if (options.json) out(JSON.stringify(errorJson(known), null, 2));
      return known.exitCode;
    },
  };
}
