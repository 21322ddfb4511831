/**
 * How the parser layer's cost grows with a file's size: one migration of 100, 1,000 and 10,000
 * statements (the shapes real migrations hold: tables, indexes, inserts, long comments, DO blocks,
 * functions), parsed cold (PostgreSQL's parser and scanner, positions, flags) and read back from
 * the parse cache (what a no-op `status` or `up` pays). The floor is the per-statement cost at
 * 100 statements in the same run: a ratio near 1 at 10,000 means the cost grows linearly.
 */
import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ParseCache, parseSql } from "../dbmigrate";
import type { BenchContext } from "./bench";
import { medianTime } from "./report";

/** Statement shapes, cycled; `k` makes each one distinct. */
const SHAPES: ((k: number) => string)[] = [
  (k) =>
    `CREATE TABLE IF NOT EXISTS t${k} (\n    id UUID NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,\n    name TEXT NOT NULL,\n    created_at TIMESTAMPTZ NOT NULL DEFAULT now()\n);`,
  (k) => `CREATE INDEX IF NOT EXISTS t${k - 1}_name_idx ON t${k - 1} (name);`,
  (k) =>
    `-- ${k}: the default rows, written by hand (café, naïve, 🐐)\nINSERT INTO t${k - 2} (name) VALUES ('a${k}'), ('b${k}'), ('c${k}');`,
  (k) => `COMMENT ON TABLE t${k - 3} IS '${"Documented at length. ".repeat(20)}${k}';`,
  (k) => `ALTER TABLE t${k - 4} ADD COLUMN IF NOT EXISTS note${k} VARCHAR(200);`,
  (k) =>
    `DO $$\nBEGIN\n  IF NOT EXISTS (SELECT 1 FROM t${k - 5} WHERE name = 'z${k}') THEN\n    INSERT INTO t${k - 5} (name) VALUES ('z${k}');\n  END IF;\nEND\n$$;`,
  (k) =>
    `CREATE OR REPLACE FUNCTION f${k}(n INT) RETURNS INT LANGUAGE plpgsql AS $body$\n/* ${"a documented body ".repeat(10)} */\nBEGIN\n  RETURN n + ${k};\nEND\n$body$;`,
  (k) => `UPDATE t${k - 7} SET name = upper(name) WHERE name LIKE 'a%';`,
];

/** A migration of `count` statements. */
export function migrationOf(count: number): string {
  const lines: string[] = [];
  for (let k = 0; k < count; k++) lines.push(SHAPES[k % SHAPES.length](k));
  return `${lines.join("\n\n")}\n`;
}

export async function parseGrowth({ quick, runs, report, note }: BenchContext): Promise<void> {
  const sizes = quick ? [100, 1000, 3000] : [100, 1000, 10_000];
  const dir = mkdtempSync(path.join(os.tmpdir(), "dbmigrate-parse-cache-"));
  try {
    await parseSql("SELECT 1;", "warm-up.sql"); // loads the WebAssembly module outside the timings
    const perStatement: Record<string, { cold: number; cached: number }> = {};
    for (const size of sizes) {
      const text = migrationOf(size);
      // Fewer repetitions for the big file: its run is long enough to be stable on its own.
      const repeat = Math.max(1, Math.round((runs * 100) / size));
      const cold = await medianTime(repeat, () => parseSql(text, "growth.sql"));
      await new ParseCache(dir).parse(text, "growth.sql"); // writes the entry
      // A fresh cache object has no memory of the text: this is a later run reading the disk.
      const cached = await medianTime(repeat, () => new ParseCache(dir).parse(text, "growth.sql"));
      perStatement[size] = { cold: cold / size, cached: cached / size };
      note(`parse growth, ${size.toLocaleString("en")} statements`, {
        "cold parse": cold,
        "from cache": cached,
        "cold per statement": cold / size,
        "cached per statement": cached / size,
      });
    }
    const [smallest, ...larger] = sizes;
    for (const size of larger) {
      report(
        `parse per statement at ${size.toLocaleString("en")}`,
        perStatement[size].cold,
        `parse per statement at ${smallest}`,
        perStatement[smallest].cold,
        `parse-growth-${size}`,
      );
      report(
        `cached parse per statement at ${size.toLocaleString("en")}`,
        perStatement[size].cached,
        `cached parse per statement at ${smallest}`,
        perStatement[smallest].cached,
        `parse-cache-growth-${size}`,
      );
    }
    const largest = sizes[sizes.length - 1];
    report(
      `cached vs cold parse, ${largest.toLocaleString("en")} statements`,
      perStatement[largest].cached,
      "cold parse of the same file",
      perStatement[largest].cold,
      "parse-cache-vs-cold",
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
