/**
 * Keeps passwords out of every output, error and log line. DSN-shaped text is masked wherever it
 * appears, and any secret value registered here (a password, a whole DSN read from Secret
 * Manager) is masked verbatim, in case a driver or a person echoes it in another shape.
 */

/** What replaces a secret. */
export const MASK = "***";

/** Masks `user:password@` in URLs and `password=...` in key-value DSNs. */
export function redactDsn(text: string): string {
  return (
    text
      // Greedy to the last '@' of the token: a password with an unencoded '@' or '/' is masked whole.
      // The placeholder PASSWORD of a usage hint is left as it is.
      .replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/?#@]*:)(\S*)@/gi, (all, head: string, secret: string) =>
        secret === "PASSWORD" ? all : `${head}${MASK}@`,
      )
      .replace(/\b(password|sslpassword)=([^\s&]*)/gi, `$1=${MASK}`)
  );
}

/** A set of secret strings to mask, plus DSN masking. */
export class Redactor {
  private readonly secrets = new Set<string>();

  /** Registers a secret (ignored when empty or too short to be a meaningful match). */
  add(secret: string | undefined): void {
    if (secret && secret.length >= 3) {
      this.secrets.add(secret);
      // A password also travels URL-encoded inside a DSN.
      const encoded = encodeURIComponent(secret);
      if (encoded !== secret) this.secrets.add(encoded);
    }
  }

  /** `text` with every registered secret and every DSN password masked. */
  redact(text: string): string {
    let out = text;
    // Longest first, so a secret that contains another is masked whole.
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) out = out.split(secret).join(MASK);
    return redactDsn(out);
  }
}
