/**
 * What CockroachDB's grammar adds to `dbmigrate lint` (issue 17: within 1.5x of the lint without
 * it). Floor: linting every migration of the project as before (PostgreSQL's grammar, the rules,
 * squawk), in the same run; measured: the same lint with CockroachDB's grammar too (one helper process per grammar,
 * 23.2 and 25.2, run side by side). Also how the helper's cost grows with a file's size, and its
 * start-up (an empty request). Skipped, with a note, when the helper is not built.
 */
import { readdirSync } from "node:fs";
import * as path from "node:path";
import {
  checkCockroachdbGrammar,
  cockroachdbParserBinary,
  COCKROACHDB_GRAMMARS,
  lintFiles,
  runCockroachdbParser,
} from "../dbmigrate";
import type { BenchContext } from "./bench";
import { migrationOf } from "./parse-growth";
import { medianTime } from "./report";

export async function cockroachdbGrammar({ quick, runs, report, note }: BenchContext): Promise<void> {
  const binaries = COCKROACHDB_GRAMMARS.map((g) => cockroachdbParserBinary(g));
  const missing = binaries.find((b) => "missing" in b);
  if (missing && "missing" in missing) {
    note("CockroachDB grammar in lint", { skipped: `${missing.missing} (source .ci/ensure-crdb-parser.sh)` });
    return;
  }
  const files = readdirSync("migrations")
    .filter((f) => f.endsWith(".sql"))
    .sort()
    .map((f) => path.join("migrations", f));
  // The lint as it ran before CockroachDB's grammar (PostgreSQL's grammar, the rules, squawk).
  const pgOnly = () => lintFiles(files, { cockroachdb: { enabled: false } });
  const both = () => lintFiles(files, { cockroachdb: { require: true } });
  await pgOnly(); // warm-up: loads the WebAssembly parsers outside the timings
  await both();
  const floor = await medianTime(runs, pgOnly);
  const measured = await medianTime(runs, both);
  report(
    `lint ${files.length} migrations, both grammars`,
    measured,
    "the lint without CockroachDB's grammar",
    floor,
    "crdb-lint-vs-pg-only",
  );

  for (const found of binaries) {
    if (!("binary" in found)) continue;
    const startUp = await medianTime(runs, () => runCockroachdbParser(found.binary, []));
    note(`crdb-parser start-up (${path.basename(found.binary)})`, { "empty request": startUp });
  }
  const sizes = quick ? [100, 1000] : [100, 1000, 10_000];
  const perStatement: Record<number, number> = {};
  for (const size of sizes) {
    const text = migrationOf(size);
    const ms = await medianTime(Math.max(1, Math.round((runs * 100) / size)), () =>
      checkCockroachdbGrammar([{ file: "growth.sql", text }], { require: true }),
    );
    perStatement[size] = ms / size;
    note(`CockroachDB grammar, ${size.toLocaleString("en")} statements`, {
      "both grammars": ms,
      "per statement": ms / size,
    });
  }
  const [smallest, ...larger] = sizes;
  for (const size of larger) {
    report(
      `CockroachDB grammar per statement at ${size.toLocaleString("en")}`,
      perStatement[size],
      `per statement at ${smallest}`,
      perStatement[smallest],
      `crdb-grammar-growth-${size}`,
    );
  }
}
