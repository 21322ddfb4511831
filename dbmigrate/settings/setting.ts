/**
 * What one setting is: where it comes from (a flag, an environment variable, a Pulumi config key),
 * its zod schema (the value as text in, the typed value out), its default and bounds, its help
 * line and the commands that take it. The kinds below build the schemas; their issue messages are
 * the words after the setting's name (`'-5' is not a positive number of milliseconds`), so the
 * CLI, the stack config and the provider's check each put their own name in front.
 */
// Named imports, so that the bundle keeps only the part of zod the settings use (bin/build-cli.js).
import {
  array,
  boolean,
  enum as oneOfValues,
  NEVER,
  string,
  union,
  type core,
  type RefinementCtx,
  type ZodType,
} from "zod";
import { DbMigrateError } from "../errors";
import type { CommandName } from "../commands/registry";

/** One setting, declared once in the catalog. */
export interface Setting<S extends ZodType = ZodType> {
  /** The long flag without `--`, when the CLI takes one. */
  readonly flag?: string;
  /** A one-letter alias. */
  readonly short?: string;
  /** The environment variable the CLI falls back to (a flag wins). */
  readonly env?: string;
  /** The Pulumi config key (`agoat-database:<key>`; a dot names a field of a structured key). */
  readonly configKey?: string;
  /** Text in (a flag, a variable, a config value), the typed value out. */
  readonly schema: S;
  /** How the command line carries it: a value, or a switch. */
  readonly type: "string" | "boolean";
  /** What applies when it is not given (shown in the help; the engine's own constant). */
  readonly default?: core.output<S>;
  /** Inclusive bounds of a number. */
  readonly bounds?: { readonly min: number; readonly max: number };
  /** The placeholder of its value in the help (`MS`, `FILE`). */
  readonly valueName?: string;
  /** One line of help. */
  readonly help: string;
  /** What to do when the value is refused. */
  readonly hint?: string;
  /** The commands that take it (empty: a Pulumi config key only). */
  readonly commands: readonly CommandName[];
}

/** An issue the CLI rethrows as it is (a DSN error already says what to do). */
interface IssueParams {
  hint?: string;
  error?: DbMigrateError;
}

function refuse(ctx: RefinementCtx, message: string, params: IssueParams = {}): typeof NEVER {
  ctx.addIssue({ code: "custom", message, params });
  return NEVER;
}

/** Free text (a path, a name). */
export const text = () => string();

/** A whole number of milliseconds from `min` to `max`. */
export function milliseconds(min: number, max: number) {
  const hint = `Give a whole number from ${min} to ${max}`;
  return string().transform((value, ctx) => {
    if (!/^\d+$/.test(value) || Number(value) <= 0)
      return refuse(ctx, `'${value}' is not a positive number of milliseconds`, { hint });
    const ms = Number(value);
    if (ms < min || ms > max)
      return refuse(ctx, `${value} is out of range: it must be from ${min} to ${max} milliseconds`, { hint });
    return ms;
  });
}

/** One of `values`; `refusal` words a value that is not. */
export function choice<const T extends readonly [string, ...string[]]>(values: T, refusal: (input: string) => string) {
  return oneOfValues(values, { error: (issue) => refusal(String(issue.input)) });
}

/** `must be 'a' or 'b' (got 'x')`. */
export const oneOf = (values: readonly string[]) => (input: string) =>
  `must be ${values.map((v) => `'${v}'`).join(" or ")} (got '${input}')`;

/** A switch: `true` from the command line, `true`/`false` as text from a config. */
export function toggle() {
  return union([boolean(), oneOfValues(["true", "false"]).transform((v) => v === "true")], {
    error: (issue) => `must be true or false (got '${String(issue.input)}')`,
  });
}

/** Text that `check` finds no problem with (the problem sentence is the message). */
export function checked(check: (value: string) => string | undefined) {
  return string({ error: "must be text" }).superRefine((value, ctx) => {
    const problem = check(value);
    if (problem) refuse(ctx, problem);
  });
}

/** Text turned into a value by `parse`, whose {@link DbMigrateError} becomes the issue (and is kept). */
export function parsedBy<T>(parse: (value: string) => T, describe: (error: DbMigrateError) => string) {
  return string({ error: "is missing" }).transform((value, ctx): T => {
    try {
      return parse(value);
    } catch (error) {
      if (!(error instanceof DbMigrateError)) throw error;
      return refuse(ctx, describe(error), { error, hint: error.hint });
    }
  });
}

/** A list of strings each matching `pattern` (a Pulumi structured key). */
export function listOf(pattern: RegExp, what: string) {
  return array(
    string({ error: "must be a list of strings" }).regex(pattern, {
      error: (issue) => `has '${String(issue.input)}', which is not ${what}`,
    }),
    { error: "must be a list of strings" },
  );
}

/** What a refused value's issue says: the message, the hint, and the error to rethrow as it is. */
export function issueDetails(issue: core.$ZodIssue): { message: string } & IssueParams {
  const params = (issue as { params?: IssueParams }).params ?? {};
  return { message: issue.message, hint: params.hint, error: params.error };
}
