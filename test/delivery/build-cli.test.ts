/**
 * bin/build-cli.js: the compiled CLI is rebuilt whenever any file it bundles changed, not only
 * files under dbmigrate/ (product/ is bundled too: a stale build would run an old seed).
 */
import assert from "node:assert/strict";
import { readFileSync, statSync, utimesSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";

const cli = require("../../bin/build-cli.js") as { OUTFILE: string; build(): void; isFresh(): boolean };
/** Where the build lists the files it read. */
const INPUTS = path.join(path.dirname(cli.OUTFILE), "dbmigrate.inputs.json");

describe("bin/build-cli.js", () => {
  it("lists every file the build read, product/ included; an edit to one makes the build stale", () => {
    cli.build();
    const inputs = JSON.parse(readFileSync(INPUTS, "utf8")) as string[];
    for (const source of ["dbmigrate/main.ts", "product/seed.ts", "product/agoat-steps.ts"])
      assert.ok(inputs.includes(source), `${source} is bundled and listed: ${inputs.join(", ")}`);
    assert.equal(cli.isFresh(), true);
    // product/seed.ts "edited" after the build (its times put back afterwards).
    const seed = "product/seed.ts";
    const { atime, mtime } = statSync(seed);
    const later = new Date(statSync(cli.OUTFILE).mtimeMs + 60_000);
    try {
      utimesSync(seed, later, later);
      assert.equal(cli.isFresh(), false, "an edit under product/ leaves the build stale");
    } finally {
      utimesSync(seed, atime, mtime);
    }
    assert.equal(cli.isFresh(), true);
  });
});
