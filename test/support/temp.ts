/** Scratch folders, removed when the test process ends. */
import { mkdtempSync, rmSync, cpSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const made: string[] = [];
process.on("exit", () => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A new empty folder. */
export function tempDir(prefix = "agoat-"): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** A folder of migration files: the project's (`copyProject`) plus `extra` files by name. */
export function migrationsDir(files: Record<string, string> = {}, copyProject = true): string {
  const dir = tempDir("agoat-migrations-");
  if (copyProject) cpSync("migrations", dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}
