/**
 * The migration list without the parser (what the Pulumi program reads): always the loader's list,
 * or the loader's error, and the parser stays unloaded on the fast path.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { loadMigrations } from "../../dbmigrate/migrations";
import { readMigrationRefs } from "../../dbmigrate/migration-refs";
import { migrationsDir } from "../support/temp";

/** The loader's answer for `dir`: its `{ file, checksum }` list, or its error message. */
async function loaderSays(dir: string): Promise<unknown> {
  try {
    return (await loadMigrations(dir)).map(({ file, checksum }) => ({ file, checksum }));
  } catch (error) {
    return `error: ${(error as Error).message}`;
  }
}

async function refsSay(dir: string): Promise<unknown> {
  try {
    return await readMigrationRefs(dir);
  } catch (error) {
    return `error: ${(error as Error).message}`;
  }
}

const FOLDERS: Record<string, () => string> = {
  "the project's migrations": () => "migrations",
  "CRLF endings and a byte-order mark": () =>
    migrationsDir({ "0001_a.sql": "\uFEFFSELECT 1;\r\n", "0002_b.sql": "SELECT 2;\r\n" }, false),
  "a draft of comments only": () => migrationsDir({ "0007_draft.sql": "-- Up\n-- nothing yet\n\n" }),
  "a draft in a block comment": () => migrationsDir({ "0007_draft.sql": "/* SELECT 1;\n*/\n" }),
  "a file of only semicolons": () => migrationsDir({ "0007_empty.sql": ";\n;\n" }),
  "'--' inside a string": () => migrationsDir({ "0007_dash.sql": "SELECT '--';\n" }),
  "a badly named file": () => migrationsDir({ "7_bad.sql": "SELECT 1;\n" }),
  "two files with one version": () => migrationsDir({ "0006_again.sql": "SELECT 1;\n" }),
  "an upper-case .SQL": () => migrationsDir({ "0007_loud.SQL": "SELECT 1;\n" }),
  "a missing folder": () => path.join(migrationsDir({}, false), "nope"),
  "a directory named like a migration": () => {
    const dir = migrationsDir({}, false);
    mkdirSync(path.join(dir, "0001_dir.sql"));
    return dir;
  },
};

describe("migration refs without the parser", () => {
  for (const [name, folder] of Object.entries(FOLDERS)) {
    it(`agree with the loader: ${name}`, async () => {
      const dir = folder();
      assert.deepEqual(await refsSay(dir), await loaderSays(dir));
    });
  }

  it("leaves a syntax error to the provider, which parses before it applies", async () => {
    const dir = migrationsDir({ "0001_broken.sql": "SELEC 1;\n" }, false);
    const refs = (await readMigrationRefs(dir)) as { file: string }[];
    assert.deepEqual(
      refs.map((r) => r.file),
      ["0001_broken.sql"],
    );
  });

  it("never loads the SQL parser for a folder of plain migrations", () => {
    const script = `const refs = require("./dbmigrate/migration-refs.ts");
refs.readMigrationRefs("migrations").then((list) => {
  const parser = Object.keys(require.cache).filter((f) => /libpg-query|sql[\\\\/]parse\\.ts$/.test(f));
  console.log(JSON.stringify({ files: list.length, parser }));
});`;
    const run = spawnSync(process.execPath, ["--require", "tsx/cjs", "-e", script], { encoding: "utf8" });
    assert.equal(run.status, 0, run.stderr);
    const out = JSON.parse(run.stdout) as { files: number; parser: string[] };
    assert.ok(out.files >= 6);
    assert.deepEqual(out.parser, []);
  });
});
