/**
 * The DSN and CA certificate, from flags, the environment or Secret Manager; the TLS settings
 * they imply; and a `Connect` that turns driver failures into one clear, redacted line.
 */
import { X509Certificate } from "node:crypto";
import { promises as fs } from "node:fs";
import type { ConnectionOptions as TlsOptions } from "node:tls";
import type { Connect, SqlClient } from "./db";
import { ConnectionError, messageOf, sqlStateOf, UsageError } from "./errors";
import type { Redactor } from "./redact";
import { readSecret, type SecretManagerSettings } from "./secret-manager";
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_STATEMENT_TIMEOUT_MS } from "./settings/defaults";
import { isDsn, parseDsn, type Dsn } from "./settings/dsn";

export { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_STATEMENT_TIMEOUT_MS };
/** Shown in `pg_stat_activity` / `SHOW SESSIONS`. */
export const APPLICATION_NAME = "dbmigrate";

/** Where the DSN and CA come from; the first that is set wins, in the order of the fields. */
export interface ConnectionSource {
  /** The DSN itself (`--database-url`, `DATABASE_URL`), parsed or as text. */
  databaseUrl?: Dsn | string;
  /** A Secret Manager secret holding the DSN (`--database-url-secret`, `DATABASE_URL_SECRET`). */
  databaseUrlSecret?: string;
  /** The CA certificate PEM text (the Pulumi provider passes it directly). */
  caCertPem?: string;
  /** A file holding the CA certificate PEM (`--ca-cert`, `DATABASE_CA_CERT`). */
  caCertFile?: string;
  /** A Secret Manager secret holding the CA certificate PEM (`--ca-cert-secret`, `DATABASE_CA_CERT_SECRET`). */
  caCertSecret?: string;
  /** How to reach Secret Manager. */
  secretManager?: SecretManagerSettings;
  /** How errors name the two secret fields. Default: the CLI flags. */
  labels?: { databaseUrlSecret: string; caCertSecret: string };
}

const FLAG_LABELS = { databaseUrlSecret: "--database-url-secret", caCertSecret: "--ca-cert-secret" };

/** The resolved DSN and CA. */
export interface ResolvedConnection {
  dsn: Dsn;
  caCert?: string;
}

/**
 * Reads the DSN and CA from wherever `source` says, registering the secrets with `redactor`
 * before anything could print them.
 */
export async function resolveConnection(source: ConnectionSource, redactor: Redactor): Promise<ResolvedConnection> {
  const labels = source.labels ?? FLAG_LABELS;
  let dsn = source.databaseUrl;
  if (dsn === undefined && source.databaseUrlSecret) {
    dsn = await readSecret(source.databaseUrlSecret, labels.databaseUrlSecret, source.secretManager);
  }
  if (!dsn) {
    throw new UsageError("no database to connect to", {
      hint: "Pass --database-url or --database-url-secret, or set DATABASE_URL or DATABASE_URL_SECRET",
    });
  }
  // Before anything could print it: the password, or a malformed DSN's whole user info.
  redactor.addDsn(isDsn(dsn) ? dsn.text : dsn);
  const parsed = isDsn(dsn) ? dsn : parseDsn(dsn);
  redactor.add(parsed.password);
  let caCert = source.caCertPem;
  let caLabel = "the CA certificate";
  // A CA file named in the DSN (libpq's sslrootcert) counts as --ca-cert when none is given.
  const caCertFile = source.caCertFile ?? parsed.sslrootcert;
  if (caCert === undefined && caCertFile) {
    caLabel = `the CA certificate file '${caCertFile}'`;
    try {
      caCert = await fs.readFile(caCertFile, "utf8");
    } catch (error) {
      throw new UsageError(`cannot read ${caLabel}: ${(error as NodeJS.ErrnoException).code ?? messageOf(error)}`, {
        hint: "Check the path given to --ca-cert, DATABASE_CA_CERT or sslrootcert in the DSN",
      });
    }
  } else if (caCert === undefined && source.caCertSecret) {
    caLabel = `the CA certificate secret '${source.caCertSecret}'`;
    caCert = await readSecret(source.caCertSecret, labels.caCertSecret, source.secretManager);
  }
  if (caCert !== undefined) {
    const problem = pemProblem(caCert);
    if (problem)
      throw new UsageError(`${caLabel} ${problem}`, {
        hint: "Give the PEM text of the cluster's CA certificate (-----BEGIN CERTIFICATE-----)",
      });
  }
  return { dsn: parsed, caCert };
}

/** Why `text` is not a PEM certificate, or undefined. */
export function pemProblem(text: string): string | undefined {
  if (!text.includes("-----BEGIN CERTIFICATE-----"))
    return "is not a PEM certificate (no -----BEGIN CERTIFICATE----- block)";
  try {
    new X509Certificate(text);
    return undefined;
  } catch {
    return "is not a valid PEM certificate (its body does not parse)";
  }
}

/**
 * TLS settings, as libpq reads sslmode. With a CA the server's chain and hostname are verified
 * (verify-full, or no sslmode); verify-ca, and require with a CA, check the chain only. Without one: `verify-*` is an error, `require` encrypts without
 * verifying, anything else connects in plain text.
 */
export function tlsOptions(parsed: Dsn, caCert: string | undefined): TlsOptions | false {
  const mode = parsed.sslmode;
  if (caCert === undefined) {
    if (mode === "verify-ca" || mode === "verify-full") {
      throw new UsageError(`the database URL asks for sslmode=${mode} but no CA certificate was given`, {
        hint: "Pass --ca-cert FILE or --ca-cert-secret NAME (or DATABASE_CA_CERT / DATABASE_CA_CERT_SECRET)",
      });
    }
    return mode === "require" ? { rejectUnauthorized: false } : false;
  }
  // As libpq: require with a CA verifies the chain only, as verify-ca does.
  if (mode === "disable") {
    throw new UsageError("the database URL says sslmode=disable but a CA certificate was given", {
      hint: "Drop sslmode=disable to verify the server, or drop the CA certificate",
    });
  }
  const tls: TlsOptions = {
    ca: caCert,
    rejectUnauthorized: true,
    servername: isIp(parsed.host) ? undefined : parsed.host,
  };
  if (mode === "verify-ca" || mode === "require") tls.checkServerIdentity = () => undefined;
  return tls;
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(":");
}

/** Options of {@link createConnect}. */
export interface ConnectOptions {
  /** Default {@link DEFAULT_CONNECT_TIMEOUT_MS}. */
  connectTimeoutMs?: number;
  /** Default {@link DEFAULT_STATEMENT_TIMEOUT_MS}. */
  statementTimeoutMs?: number;
}

/**
 * A `Connect` for the resolved DSN and CA. Validates both first, so a bad DSN fails before any I/O.
 * DSN text (tests, benchmarks) is parsed here, once.
 */
export async function createConnect(
  resolved: { dsn: Dsn | string; caCert?: string },
  options: ConnectOptions = {},
): Promise<Connect> {
  const parsed = isDsn(resolved.dsn) ? resolved.dsn : parseDsn(resolved.dsn);
  const ssl = tlsOptions(parsed, resolved.caCert);
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const statementTimeoutMs = options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  // A startup option rather than a SET after connecting: no extra round trip per connection.
  const startupOptions = [parsed.options, `-c statement_timeout=${statementTimeoutMs}`].filter(Boolean).join(" ");
  const { Client } = await import("pg");
  return async (): Promise<SqlClient> => {
    const client = new Client({
      host: parsed.host,
      port: parsed.port,
      user: parsed.user,
      password: parsed.password,
      database: parsed.database,
      ssl,
      connectionTimeoutMillis: connectTimeoutMs,
      application_name: APPLICATION_NAME,
      options: startupOptions,
    });
    // A backend that dies (pg_terminate_backend, a restart) emits 'error' on an idle client:
    // without a listener Node would crash the process instead of failing the next query.
    client.on("error", () => undefined);
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      throw connectionError(error, parsed, connectTimeoutMs);
    }
    return client;
  };
}

/** One line for a failed connection; never includes the password. */
export function connectionError(error: unknown, target: Dsn, timeoutMs: number): ConnectionError {
  const where = `${target.host}:${target.port}`;
  const code = (error as { code?: string }).code;
  const message = messageOf(error);
  const state = sqlStateOf(error);
  const make = (what: string, hint: string) => new ConnectionError(what, { sqlState: state, hint, cause: error });
  if (state === "28P01" || state === "28000") {
    return make(
      `authentication failed for user '${target.user}' at ${where}`,
      "Check the user and password in the DSN (or its secret)",
    );
  }
  if (state === "3D000")
    return make(
      `database '${target.database}' does not exist at ${where}`,
      "Create it first, or fix the database name in the DSN",
    );
  if (state === "22023" || state === "42704" || state === "22P02") {
    // Raised while starting the session: a startup setting (our statement_timeout, or the DSN's
    // `options=-c ...`) that the server does not accept.
    return make(
      `the server at ${where} rejected a session setting: ${message}`,
      "Check --statement-timeout and any `options=-c name=value` in the DSN",
    );
  }
  if (state) return make(`the server at ${where} refused the connection: ${message}`, "Check the server's logs");
  if (code === "ECONNREFUSED")
    return make(`connection refused by ${where}`, "Check the host and port, and that the server is running");
  if (code === "ENOTFOUND" || code === "EAI_AGAIN")
    return make(`cannot resolve host '${target.host}'`, "Check the host name in the DSN and your DNS");
  if (/timeout|timed out/i.test(message)) {
    return make(
      `timed out after ${timeoutMs} ms connecting to ${where}`,
      "Check network access and firewalls, or raise --connect-timeout",
    );
  }
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") {
    return make(
      `TLS hostname mismatch: the server certificate at ${where} is not valid for '${target.host}'`,
      "Connect with the host name the certificate names, or reissue the server certificate",
    );
  }
  if (code && /CERT|SIGNATURE|ISSUER/.test(code)) {
    return make(
      `TLS verification failed for ${where}: ${message} (${code})`,
      "Give the CA certificate that signed the server's certificate (--ca-cert)",
    );
  }
  if (/does not support SSL/i.test(message))
    return make(
      `the server at ${where} does not accept TLS`,
      "Drop sslmode and the CA certificate, or enable TLS on the server",
    );
  return make(`cannot connect to ${where}: ${message}`, "Check the DSN, the network and the server's logs");
}
