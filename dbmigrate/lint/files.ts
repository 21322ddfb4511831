/**
 * Lint by file path: reads the files (one clear line for a missing one, a directory or a broken
 * link) and gives each the migrations numbered before it in its folder as context.
 */
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { UsageError } from "../errors";
import { MIGRATION_FILE_PATTERN, nodeFileReader, readMigrationFile } from "../migrations";
import type { LintReport } from "./finding";
import { textLine } from "./report";
import { lintSources, type LintOptions, type LintSource } from "./lint";

/** Lints `files` (paths, in the order given). */
export async function lintFiles(
  files: string[],
  options: Pick<LintOptions, "squawk" | "cockroachdb"> = {},
): Promise<LintReport> {
  const targets: LintSource[] = [];
  for (const file of files) {
    const stat = await fs.lstat(file).catch(() => undefined);
    if (!stat) {
      throw new UsageError(`no such migration file '${file}'`, {
        hint: "Give paths of .sql files, or no path to lint every migration",
      });
    }
    targets.push({ file, text: await readMigrationFile(nodeFileReader, path.basename(file), file) });
  }
  return lintSources(targets, { ...options, context: await contextFor(files) });
}

/** Every migration of the folder, in order, as paths (`dbmigrate lint` with no file). */
export async function migrationPaths(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir).catch((error: unknown) => {
    throw new UsageError(`cannot read the migrations folder '${dir}'`, {
      cause: error,
      hint: "Run from the project root or pass --migrations-dir",
    });
  });
  return entries
    .filter((e) => e.endsWith(".sql"))
    .sort()
    .map((e) => path.join(dir, e));
}

/** The migrations of the targets' folders numbered below the first target there, in order. */
async function contextFor(files: string[]): Promise<LintSource[]> {
  const context: LintSource[] = [];
  const targets = new Set(files.map((f) => path.resolve(f)));
  for (const dir of new Set(files.map((f) => path.dirname(f)))) {
    const versions = files
      .filter((f) => path.dirname(f) === dir)
      .map((f) => MIGRATION_FILE_PATTERN.exec(path.basename(f)))
      .map((m) => (m ? Number(m[1]) : Infinity));
    const first = Math.min(...versions);
    for (const entry of (await fs.readdir(dir).catch(() => [] as string[])).sort()) {
      const match = MIGRATION_FILE_PATTERN.exec(entry);
      const file = path.join(dir, entry);
      if (!match || Number(match[1]) >= first || targets.has(path.resolve(file))) continue;
      const text = await fs.readFile(file, "utf8").catch(() => undefined);
      if (text !== undefined) context.push({ file, text });
    }
  }
  return context;
}

/**
 * One line per unwaived lint error in `files` (names in `dir`, relative to `root`), for a Pulumi
 * `check` failure: the preview of a pull request then shows each finding with its file (relative
 * to `root`), line and rule.
 */
export async function lintErrorLines(dir: string, files: string[], root = process.cwd()): Promise<string[]> {
  if (files.length === 0) return [];
  const report = await lintFiles(files.map((file) => path.resolve(root, dir, file)));
  return report.findings
    .filter((f) => !f.waived && f.severity === "error")
    .map((f) => textLine({ ...f, file: path.relative(root, f.file) }));
}
