/**
 * The DSN as one typed value: parsed once, where it enters (a flag, the environment, a secret, a
 * Pulumi config key or input), by node-postgres' own parser (pg-connection-string), and then handed
 * as a {@link Dsn} to every consumer (TLS, the driver, `--create-database`, the provider's id).
 * Nobody parses the text again, so a loosely written password (a space, a lone `%`) means the same
 * thing everywhere.
 */
import { parse as parseConnectionString, type ConnectionOptions } from "pg-connection-string";
import { UsageError } from "../errors";
import { redactDsn } from "../redact";

/** libpq's sslmode values. */
export const SSL_MODES = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"] as const;

/** libpq's default port. */
export const DEFAULT_PORT = 5432;
/** CockroachDB's default user, used when the DSN names none. */
export const DEFAULT_USER = "root";

/** What to write instead of a DSN that does not parse. */
export const DSN_SHAPE_HINT =
  "Use postgresql://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=verify-full; in the password write % as %25, : as %3A, / as %2F, an at sign as %40";

/** A parsed DSN. Printing it (`String(dsn)`, `JSON.stringify`) shows the redacted text only. */
export interface Dsn {
  /** The text as given, password included: for the redactor and for handing on, never for printing. */
  readonly text: string;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password?: string;
  readonly database: string;
  readonly sslmode?: (typeof SSL_MODES)[number];
  /** A CA file named in the DSN (`sslrootcert`), as a path: read by the connection, not here. */
  readonly sslrootcert?: string;
  /** Startup `options` (CockroachDB serverless routing uses `--cluster=`). */
  readonly options?: string;
}

/** Whether `value` is a parsed DSN rather than text. */
export function isDsn(value: unknown): value is Dsn {
  return typeof value === "object" && value !== null && typeof (value as Dsn).text === "string";
}

/**
 * Parses a DSN with pg-connection-string, which is lenient the way libpq is (a space or a lone
 * '%' in the password is taken literally). Errors never show the password.
 */
export function parseDsn(text: string): Dsn {
  const bad = (why: string) =>
    new UsageError(`the database URL ${why} (got '${redactDsn(text)}')`, { hint: DSN_SHAPE_HINT });
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text);
  if (!scheme) throw new UsageError("the database URL is not a URL", { hint: DSN_SHAPE_HINT });
  if (!/^postgres(ql)?$/i.test(scheme[1])) throw bad(`has scheme '${scheme[1]}:', not postgresql:`);
  // pg-connection-string would read these files itself, with raw errors: the connection reads the CA.
  const files: Record<string, string> = {};
  const withoutFiles = text
    .replace(
      /([?&])(sslrootcert|sslcert|sslkey)=([^&#]*)&?/g,
      (_all, separator: string, key: string, value: string) => {
        files[key] = safeDecodeUri(value);
        return separator;
      },
    )
    .replace(/[?&]$/, "");
  let config: ConnectionOptions;
  try {
    config = parseConnectionString(withoutFiles);
  } catch {
    throw new UsageError("the database URL does not parse as a URL", { hint: DSN_SHAPE_HINT });
  }
  if (!config.host) throw bad("has no host");
  if (!config.database) throw bad("has no database name");
  if (config.user?.includes("@") && !config.password) {
    // `user@password@host`: an '@' typed for ':'. Never echo the user name: it holds the password.
    throw new UsageError("the database URL has two '@' and no password: was an '@' typed for ':'?", {
      hint: DSN_SHAPE_HINT,
    });
  }
  const sslmode = typeof config.sslmode === "string" ? config.sslmode : undefined;
  if (sslmode !== undefined && !(SSL_MODES as readonly string[]).includes(sslmode))
    throw bad(`has an unknown sslmode '${sslmode}' (use one of ${SSL_MODES.join(", ")})`);
  const port = config.port ? Number(config.port) : DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw bad(`has port '${config.port}', not 1 to 65535`);
  return dsnValue({
    text,
    host: config.host,
    port,
    user: config.user || DEFAULT_USER,
    password: config.password || undefined,
    database: config.database,
    sslmode: sslmode as Dsn["sslmode"],
    sslrootcert: files.sslrootcert,
    options: typeof config.options === "string" ? config.options : undefined,
  });
}

/**
 * The same server, credentials and parameters, another database (`--create-database` connects to
 * the maintenance database; review stacks get one database each).
 */
export function dsnWithDatabase(dsn: Dsn, database: string): Dsn {
  // Only the path changes: everything after the host part up to the query is the database. The host
  // starts after the last '@' before the path (a loosely written password may hold an '@'; it cannot
  // hold '/', which parseDsn refuses), never after an '@' of the query (`application_name=me@host`).
  const authorityStart = dsn.text.indexOf("://") + 3;
  const path = dsn.text.indexOf("/", authorityStart);
  const at = dsn.text.lastIndexOf("@", path < 0 ? dsn.text.length : path);
  const hostStart = at >= authorityStart ? at + 1 : authorityStart;
  const rest = dsn.text.slice(hostStart);
  const slash = rest.search(/[/?#]/);
  const authority = slash < 0 ? rest : rest.slice(0, slash);
  const query = slash < 0 ? "" : rest.slice(slash).replace(/^\/[^?#]*/, "");
  const text = `${dsn.text.slice(0, hostStart)}${authority}/${encodeURIComponent(database)}${query}`;
  return dsnValue({ ...dsn, text, database });
}

/** Attaches the redacting printers, so an accidental print or a JSON dump never shows the password. */
function dsnValue(fields: Dsn): Dsn {
  const printable = () => redactDsn(fields.text);
  return Object.freeze(
    Object.defineProperties(
      { ...fields },
      {
        toString: { value: printable, enumerable: false },
        toJSON: { value: printable, enumerable: false },
        [Symbol.for("nodejs.util.inspect.custom")]: { value: printable, enumerable: false },
      },
    ),
  );
}

function safeDecodeUri(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
