/** Anything thrown becomes one line: SQLSTATE advice, file errors, DSN escapes; the rest said to be a bug. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { errorJson, errorLine, toDbMigrateError, UsageError } from "../../dbmigrate/errors";

const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe("error to one line", () => {
  it("keeps dbmigrate's own errors as they are", () => {
    const error = new UsageError("bad flag", { hint: "Fix it" });
    assert.equal(toDbMigrateError(error), error);
    assert.equal(errorLine(error), "bad flag. Fix it");
  });

  it("gives a database error its SQLSTATE and what to do", () => {
    assert.equal(
      errorLine(pgError("53300", "sorry, too many clients already")),
      "the server has no connection slots left: sorry, too many clients already [SQLSTATE 53300]. Close idle connections or raise max_connections, then retry",
    );
    // An unknown code of a known class takes the class's advice.
    assert.match(
      errorLine(pgError("08P01", "protocol violation")),
      /^the connection to the database failed: .*\[SQLSTATE 08P01\]/,
    );
  });

  it("names the file and the problem of a file-system error", () => {
    const error = Object.assign(new Error("EACCES: permission denied, open '/x/y'"), {
      code: "EACCES",
      syscall: "open",
      path: "/x/y",
    });
    assert.equal(
      errorLine(error),
      "cannot open the file: permission denied (/x/y). Check the path and its permissions",
    );
    assert.equal(toDbMigrateError(error).exitCode, 2);
  });

  it("says a malformed percent-escape is a DSN problem", () => {
    assert.match(
      errorLine(new URIError("URI malformed")),
      /^the database URL has a '%' that is not followed by two hex digits\./,
    );
  });

  it("says anything else is a bug and asks for --verbose", () => {
    assert.equal(
      errorLine(new TypeError("x is undefined")),
      "unexpected failure (a bug in dbmigrate): x is undefined. Please report it with the output of the same command run with --verbose",
    );
    assert.deepEqual(errorJson(pgError("42501", "permission denied for schema public")).error.sqlState, "42501");
  });
});
