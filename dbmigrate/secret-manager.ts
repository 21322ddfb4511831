/**
 * Reads a secret from GCP Secret Manager with the official client, the way the API loads its DSN
 * and CA certificate. `SECRET_MANAGER_EMULATOR_HOST=host:port` points it at a local server
 * without TLS or credentials (tests, emulators).
 */
import { SecretError, UsageError } from "./errors";

/** Where the client talks to; empty for the real service with Application Default Credentials. */
export interface SecretManagerSettings {
  /** `host:port` of a local server spoken to without TLS or credentials. */
  emulatorHost?: string;
  /** Deadline of one access, ms. Default {@link DEFAULT_SECRET_TIMEOUT_MS}. */
  timeoutMs?: number;
}

/** Deadline of one secret access. */
export const DEFAULT_SECRET_TIMEOUT_MS = 15_000;

/** `projects/P/secrets/S` or `projects/P/secrets/S/versions/V` (V a number or `latest`). */
export const SECRET_NAME_PATTERN =
  /^projects\/[a-z0-9-]{1,63}\/secrets\/[A-Za-z0-9_-]{1,255}(\/versions\/(latest|[1-9]\d*))?$/;

/** Settings from the environment (`SECRET_MANAGER_EMULATOR_HOST`). */
export function secretManagerSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): SecretManagerSettings {
  return env.SECRET_MANAGER_EMULATOR_HOST ? { emulatorHost: env.SECRET_MANAGER_EMULATOR_HOST } : {};
}

/** The full version name for `name` (`/versions/latest` added when absent); `label` names the flag or key in errors. */
export function secretVersionName(name: string, label: string): string {
  if (!SECRET_NAME_PATTERN.test(name)) {
    throw new UsageError(`${label} '${name}' is not a Secret Manager secret name`, {
      hint: "Use projects/PROJECT/secrets/SECRET or projects/PROJECT/secrets/SECRET/versions/VERSION",
    });
  }
  return name.includes("/versions/") ? name : `${name}/versions/latest`;
}

/** Reads one secret version's payload as text. */
export async function readSecret(name: string, label: string, settings: SecretManagerSettings = {}): Promise<string> {
  const version = secretVersionName(name, label);
  const { SecretManagerServiceClient } = await import("@google-cloud/secret-manager");
  let options = {};
  if (settings.emulatorHost) {
    const grpc = await import("@grpc/grpc-js");
    const [host, port] = splitHostPort(settings.emulatorHost);
    // universeDomain set explicitly: otherwise the client asks the metadata server for it.
    options = {
      apiEndpoint: host,
      port,
      sslCreds: grpc.credentials.createInsecure(),
      universeDomain: "googleapis.com",
    };
  }
  const client = new SecretManagerServiceClient(options);
  if (!settings.emulatorHost) {
    // Asked first, and apart: without credentials the client's own first call fails deep inside
    // google-auth-library, and its background close rejects unhandled (a stack trace, not a line).
    try {
      await client.auth.getClient();
    } catch (error) {
      throw noCredentials(version, label, error);
    }
  }
  try {
    const [response] = await client.accessSecretVersion(
      { name: version },
      { timeout: settings.timeoutMs ?? DEFAULT_SECRET_TIMEOUT_MS, retry: null },
    );
    const data = response.payload?.data;
    if (data === undefined || data === null)
      throw new SecretError(`secret version ${version} (${label}) has no payload`, {
        hint: "Add a version with the value",
      });
    return (typeof data === "string" ? data : Buffer.from(data).toString("utf8")).replace(/\s+$/, "");
  } catch (error) {
    if (error instanceof SecretError) throw error;
    throw secretError(error, version, label);
  } finally {
    await client.close().catch(() => undefined);
  }
}

function splitHostPort(hostPort: string): [string, number] {
  const colon = hostPort.lastIndexOf(":");
  return [hostPort.slice(0, colon), Number(hostPort.slice(colon + 1))];
}

/** The README's line for a missing or unusable Application Default Credentials. */
function noCredentials(version: string, label: string, cause: unknown): SecretError {
  return new SecretError(`no valid GCP credentials to read ${version} (${label})`, {
    hint: "Run `gcloud auth application-default login` or set GOOGLE_APPLICATION_CREDENTIALS",
    cause,
  });
}

function secretError(error: unknown, version: string, label: string): SecretError {
  const code = (error as { code?: number }).code;
  const details = (error as { details?: string }).details ?? String(error);
  switch (code) {
    case 5:
      return new SecretError(`secret version ${version} (${label}) was not found`, {
        hint: "Check the project and secret name, or create the secret (`pulumi up` on the stack does)",
      });
    case 7:
      return new SecretError(`permission denied reading secret version ${version} (${label})`, {
        hint: "Grant roles/secretmanager.secretAccessor on this secret to the identity running dbmigrate (config secretAccessors)",
      });
    case 16:
      return noCredentials(version, label, error);
    case 4:
    case 14:
      return new SecretError(`Secret Manager did not answer for ${version} (${label}): ${details}`, {
        hint: "Check network access to secretmanager.googleapis.com and retry",
      });
    default:
      if (/default credentials|refresh access token|invalid_grant|unauthenticated/i.test(details))
        return noCredentials(version, label, error);
      return new SecretError(`reading secret version ${version} (${label}) failed: ${details}`, { cause: error });
  }
}
