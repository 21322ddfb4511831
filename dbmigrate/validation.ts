/**
 * Checks of user-supplied values that the schema's CHECK constraints would also reject: done up
 * front so the CLI, the stack config and the Pulumi provider's `check` can say which value is
 * wrong before anything touches a database. The patterns match migrations/0001.
 */

/** A slug: lower-case letters and digits in hyphen-separated words (`^[a-z0-9]+(-[a-z0-9]+)*$`). */
export const SLUG_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;
/** A hostname: lower case, dot-separated labels; no scheme, port or path. */
export const HOSTNAME_PATTERN = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** Why `value` is not a valid slug, or undefined when it is. */
export function slugProblem(value: unknown): string | undefined {
  if (typeof value !== "string" || value.length === 0) return "must be a non-empty string";
  if (value.length > 63) return "must be at most 63 characters";
  if (!SLUG_PATTERN.test(value))
    return `'${value}' must be lower-case letters and digits in hyphen-separated words, like 'my-site'`;
  return undefined;
}

/** Why `value` is not a valid hostname, or undefined when it is. */
export function hostnameProblem(value: unknown): string | undefined {
  if (typeof value !== "string" || value.length === 0) return "must be a non-empty string";
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value))
    return `'${value}' must be a bare hostname without a scheme (drop '${value.split("://")[0]}://')`;
  if (/[/:?#]/.test(value)) return `'${value}' must be a bare hostname without a port or path`;
  if (value !== value.toLowerCase()) return `'${value}' must be lower case ('${value.toLowerCase()}')`;
  if (value.length > 253 || !HOSTNAME_PATTERN.test(value)) return `'${value}' is not a valid hostname`;
  return undefined;
}

/** Why `value` is not a valid display name, or undefined when it is. */
export function nameProblem(value: unknown): string | undefined {
  if (typeof value !== "string" || value.trim().length === 0) return "must be a non-empty string";
  if (value.length > 200) return "must be at most 200 characters";
  return undefined;
}
