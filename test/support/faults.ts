/**
 * Wraps a real connection factory to record queries and inject failures (SQLSTATE 40001, XXA00)
 * that PostgreSQL does not produce on demand. The database underneath is real.
 */
import type { Connect, SqlClient } from "../../dbmigrate/db";

/** Decides, per query, whether to fail it instead of sending it. */
export type FaultRule = (text: string) => Error | undefined;

/** A driver-like error with a SQLSTATE. */
export function sqlError(code: string, message = `injected ${code}`): Error {
  return Object.assign(new Error(message), { code });
}

/** Fails the first `times` queries that match `pattern` with `code`. */
export function failTimes(pattern: RegExp, code: string, times: number): FaultRule {
  let left = times;
  return (text) => {
    if (left > 0 && pattern.test(text)) {
      left--;
      return sqlError(code);
    }
    return undefined;
  };
}

/** A Connect whose clients record every query into `log` and obey `rules`. */
export function instrument(connect: Connect, log: string[] = [], rules: FaultRule[] = []): Connect {
  return async () => {
    const client = await connect();
    const wrapped: SqlClient = {
      async query(text, values) {
        log.push(text);
        for (const rule of rules) {
          const error = rule(text);
          if (error) throw error;
        }
        return client.query(text, values);
      },
      end: () => client.end(),
    };
    return wrapped as SqlClient;
  };
}
