/**
 * bin/build-cli.js: the compiled CLI is rebuilt whenever any file it bundles changed, not only
 * files under dbmigrate/ (product/ and scripts/ are bundled too: a stale build would run an old seed).
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { tempDir } from "../support/temp";

const cli = require("../../bin/build-cli.js") as {
  OUTFILE: string;
  build(): void;
  inputsFileOf(outfile: string): string;
  isFresh(outfile?: string): boolean;
};

describe("bin/build-cli.js", () => {
  it("records every file the build bundles, product/ included, and judges the build fresh after it", () => {
    cli.build();
    const inputs = JSON.parse(readFileSync(cli.inputsFileOf(cli.OUTFILE), "utf8")) as string[];
    for (const source of ["dbmigrate/main.ts", "product/seed.ts", "product/agoat-steps.ts"])
      assert.ok(inputs.includes(source), `${source} is bundled and recorded: ${inputs.join(", ")}`);
    assert.equal(cli.isFresh(), true);
  });

  it("is stale when a recorded input is newer than the build, gone, or the list is missing", () => {
    const dir = tempDir("agoat-build-cli-");
    const outfile = path.join(dir, "out.cjs");
    const source = path.join(dir, "source.ts");
    writeFileSync(source, "export {};\n");
    writeFileSync(outfile, "");
    const at = (file: string, seconds: number) => utimesSync(file, seconds, seconds);
    assert.equal(cli.isFresh(outfile), false, "no inputs list");
    writeFileSync(cli.inputsFileOf(outfile), JSON.stringify([source]));
    at(source, 1_000);
    at(outfile, 2_000);
    assert.equal(cli.isFresh(outfile), true);
    at(source, 3_000);
    assert.equal(cli.isFresh(outfile), false, "an input edited after the build");
    at(source, 1_000);
    rmSync(source);
    assert.equal(existsSync(source), false);
    assert.equal(cli.isFresh(outfile), false, "an input removed since the build");
  });
});
