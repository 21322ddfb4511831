/**
 * Keeps passwords out of every output, error and log line. DSN-shaped text is masked wherever it
 * appears, however malformed; any secret value registered here (a password, a whole DSN read from
 * Secret Manager) is masked verbatim, in case a driver or a person echoes it in another shape. The
 * CLI, the Pulumi provider and the scripts put their process's stdout and stderr behind one
 * {@link Redactor} with {@link guardStreams}, so not even a library's own print gets past it.
 */

/** What replaces a secret. */
export const MASK = "***";

/** A character of a URL scheme after its first letter (RFC 3986: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )). */
const SCHEME_CHAR = /[a-z0-9+.-]/i;

/**
 * Every `scheme://` on the line: `at` where the scheme starts, `body` just after `://`. Found from
 * each `://` backwards, so the cost stays linear in the line's length (a regex scanning for the
 * scheme from every letter backtracks over a long run of letters: a 100 KB identifier took 36 s).
 */
function urlStarts(line: string): { at: number; body: number }[] {
  const starts: { at: number; body: number }[] = [];
  let floor = 0;
  for (let sep = line.indexOf("://"); sep >= 0; sep = line.indexOf("://", sep + 3)) {
    let at = sep;
    while (at > floor && SCHEME_CHAR.test(line[at - 1])) at--;
    // The scheme starts at its first letter: leading digits or signs belong to the text before.
    while (at < sep && !/[a-z]/i.test(line[at])) at++;
    if (at < sep) starts.push({ at, body: sep + 3 });
    floor = sep + 3;
  }
  return starts;
}

/**
 * Masks the user info of every URL on one line: whatever lies between `://` and the last `@`
 * before the next URL (or the line's end), so a password holding `@`, `:`, `/`, `%` or spaces is
 * masked whole. A well-formed `user:password@` keeps the user; anything else is masked entirely.
 */
function maskUrls(line: string): string {
  const starts = urlStarts(line);
  let out = line;
  // Right to left: each URL's span ends where the next one starts, and earlier indices stay valid.
  for (let k = starts.length - 1; k >= 0; k--) {
    const end = k + 1 < starts.length ? starts[k + 1].at : out.length;
    const span = out.slice(starts[k].body, end);
    const at = span.lastIndexOf("@");
    if (at <= 0) continue;
    const userinfo = span.slice(0, at);
    const colon = userinfo.indexOf(":");
    const user = colon > 0 ? userinfo.slice(0, colon) : "";
    // The placeholder of a usage line (USER:PASSWORD@HOST) is left as it is.
    if (userinfo.slice(colon + 1) === "PASSWORD") continue;
    const kept =
      user && /^[^\s@/]+$/.test(user) ? `${user}:${MASK}` : colon < 0 && !/[@\s]/.test(userinfo) ? userinfo : MASK;
    out = out.slice(0, starts[k].body) + kept + out.slice(starts[k].body + at);
  }
  return out;
}

/** Masks URL credentials (see above) and `password=...` in key-value DSNs, quoted or not. */
export function redactDsn(text: string): string {
  return text
    .split("\n")
    .map(maskUrls)
    .join("\n")
    .replace(/\b(password|sslpassword)(\s*=\s*)('(?:[^'\\]|\\.)*'?|[^\s&]*)/gi, `$1$2${MASK}`);
}

/** The raw user info of a URL-shaped DSN (between `://` and the last `@`), or undefined. */
function userinfoOf(dsn: string): string | undefined {
  const start = dsn.indexOf("://");
  const at = dsn.lastIndexOf("@");
  return start >= 0 && at > start + 3 ? dsn.slice(start + 3, at) : undefined;
}

/** A set of secret strings to mask, plus DSN masking. */
export class Redactor {
  private readonly secrets = new Set<string>();

  /** Registers a secret (ignored when empty or too short to be a meaningful match). */
  add(secret: string | undefined): void {
    if (secret && secret.length >= 3) {
      this.secrets.add(secret);
      // A password also travels URL-encoded inside a DSN, and decoded in a driver's message.
      for (const form of [encodeURIComponent(secret), safeDecode(secret)])
        if (form && form !== secret) this.secrets.add(form);
    }
  }

  /**
   * Registers a DSN's credentials: the password of a well-formed one; for a malformed one
   * (an `@` typed for `:`, say) everything between `://` and the last `@`, and the part after the
   * first `@` or `:` of it, so a driver echoing `user@password` as a user name is masked too.
   */
  addDsn(dsn: string | undefined): void {
    const userinfo = dsn === undefined ? undefined : userinfoOf(dsn);
    if (userinfo === undefined) return;
    const cut = userinfo.search(/[:@]/);
    if (cut >= 0) {
      this.add(userinfo.slice(cut + 1));
      if (userinfo[cut] === "@") this.add(userinfo);
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

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

type Write = NodeJS.WriteStream["write"];

/**
 * Puts `streams` (default: this process's stdout and stderr) behind `redactor`: every chunk
 * written to them, by us or by any library, is redacted first. Returns a function that undoes it.
 */
export function guardStreams(
  redactor: Redactor,
  streams: NodeJS.WriteStream[] = [process.stdout, process.stderr],
): () => void {
  const originals = streams.map((stream) => stream.write);
  streams.forEach((stream, k) => {
    const original = originals[k];
    stream.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
      const text = typeof chunk === "string" ? chunk : Buffer.isBuffer(chunk) ? chunk.toString("utf8") : chunk;
      const safe = typeof text === "string" ? redactor.redact(text) : text;
      return (original as (...args: unknown[]) => boolean).call(this, safe, ...rest);
    } as Write;
  });
  return () => streams.forEach((stream, k) => (stream.write = originals[k]));
}
