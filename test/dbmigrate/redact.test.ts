/** The one redaction: DSN credentials however malformed, registered secrets in every form, whole streams. */
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { describe, it } from "node:test";
import { guardStreams, MASK, Redactor, redactDsn } from "../../dbmigrate/redact";

describe("redactDsn", () => {
  const cases: [string, string, string][] = [
    ["well-formed", "postgresql://app:s3cret@db:5432/agoat", "postgresql://app:***@db:5432/agoat"],
    ["'@' typed for ':'", "postgresql://app@s3cret@db/agoat", "postgresql://***@db/agoat"],
    ["'@' inside the password", "postgresql://app:p@ss@db/agoat", "postgresql://app:***@db/agoat"],
    ["space inside the password", "x postgresql://app:my secret@db/agoat y", "x postgresql://app:***@db/agoat y"],
    ["'/' and '%' inside the password", "postgresql://app:a/b%zz@db/agoat", "postgresql://app:***@db/agoat"],
    ["no host", "postgresql://app:s3cret@/agoat", "postgresql://app:***@/agoat"],
    ["user only", "postgresql://app@db/agoat", "postgresql://app@db/agoat"],
    [
      "two URLs on a line",
      "a postgres://u:p1x@h1/d and postgres://v:p2y@h2/d",
      "a postgres://u:***@h1/d and postgres://v:***@h2/d",
    ],
    ["quoted in a message", "unknown command 'postgresql://u:pa ss@h/d'", "unknown command 'postgresql://u:***@h/d'"],
    ["key-value", "host=h password=s3cret dbname=d", `host=h password=${MASK} dbname=d`],
    ["key-value, quoted", "host=h password='my secret' dbname=d", `host=h password=${MASK} dbname=d`],
    [
      "usage placeholder",
      "postgresql://USER:PASSWORD@HOST:PORT/DATABASE",
      "postgresql://USER:PASSWORD@HOST:PORT/DATABASE",
    ],
  ];
  for (const [what, input, expected] of cases) {
    it(what, () => assert.equal(redactDsn(input), expected));
  }

  it("a scheme glued to digits or signs starts at its first letter", () => {
    assert.equal(redactDsn("x=1-postgres://u:pw1@h/d"), "x=1-postgres://u:***@h/d");
  });

  // A regex scanning for the scheme from every letter backtracked over a long run of letters
  // (a 100 KB identifier in a lint line took 36 s, 1 MB never ended); the scan is linear now.
  it("masks a DSN after a 4 MB run of letters", { timeout: 60_000 }, () => {
    const letters = "i".repeat(4_000_000);
    assert.equal(redactDsn(`${letters} postgresql://u:pw1@h/d`), `${letters} postgresql://u:***@h/d`);
    assert.equal(redactDsn(`${letters}://u:pw1@h/d`), `${letters}://u:***@h/d`);
  });
});

describe("Redactor", () => {
  it("masks a registered password raw, URL-encoded and decoded, longest first", () => {
    const redactor = new Redactor();
    redactor.add("p@ss w%rd");
    assert.equal(redactor.redact("user 'p@ss w%rd' / p%40ss%20w%25rd"), `user '${MASK}' / ${MASK}`);
  });

  it("masks what a driver echoes of a DSN with an '@' typed for ':'", () => {
    const redactor = new Redactor();
    redactor.addDsn("postgresql://postgres@s3cret-pw@db/agoat");
    assert.equal(
      redactor.redact("authentication failed for user 'postgres@s3cret-pw'"),
      `authentication failed for user '${MASK}'`,
    );
    assert.equal(redactor.redact("password s3cret-pw"), `password ${MASK}`);
  });
});

describe("guardStreams", () => {
  it("redacts every chunk written to a guarded stream, strings and buffers, until undone", () => {
    const written: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        written.push(chunk.toString("utf8"));
        done();
      },
    }) as unknown as NodeJS.WriteStream;
    const redactor = new Redactor();
    redactor.add("t0p-s3cret");
    const undo = guardStreams(redactor, [stream]);
    stream.write("a library says t0p-s3cret\n");
    stream.write(Buffer.from("postgresql://u:pw1@h/d\n"));
    undo();
    stream.write("t0p-s3cret\n");
    assert.deepEqual(written, [`a library says ${MASK}\n`, `postgresql://u:${MASK}@h/d\n`, "t0p-s3cret\n"]);
  });
});
