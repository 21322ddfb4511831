/**
 * `schema/complete-schema.sql`: every migration in one file, for a fresh database. It is
 * generated from `migrations/` (`dbmigrate build-complete`), so it always equals all migrations
 * applied; each migration stands in its own marked section, so `apply-complete` knows which
 * migrations it contains and records them as a baseline.
 */
import * as path from "node:path";
import { UsageError } from "./errors";
import { normaliseSql, parseMigration, type FileReader, type Migration } from "./migrations";

/** Where the complete schema lives, relative to the project root. */
export { DEFAULT_COMPLETE_SCHEMA_FILE } from "./settings/defaults";

const HEADER = `-- AGoat Publisher: the complete database schema, for a fresh database.
-- Generated from migrations/ by \`dbmigrate build-complete\`: do not edit by hand.
-- Apply it with \`dbmigrate apply-complete\`, which records every section below as applied.
-- Runs on CockroachDB 23.2+ and PostgreSQL 15+ (see each section's dbmigrate:requires).
`;
const BEGIN = "-- dbmigrate:section ";
const END = "-- dbmigrate:end-section ";
/**
 * Marks a section whose file has no final newline: the end marker needs a line of its own, and
 * the newline put before it is not the file's (so the section checksums as the file does).
 */
const NO_FINAL_NEWLINE = " (no final newline)";

/**
 * The complete schema text for these migrations. Each section holds its file's normalised text
 * exactly (trailing blank lines and comments included), so `apply-complete` records the checksum
 * `dbmigrate up` would.
 */
export function renderCompleteSchema(migrations: readonly Migration[]): string {
  const sections = migrations.map((m) =>
    m.sql.endsWith("\n")
      ? `${BEGIN}${m.file}\n${m.sql}${END}${m.file}\n`
      : `${BEGIN}${m.file}\n${m.sql}\n${END}${m.file}${NO_FINAL_NEWLINE}\n`,
  );
  return `${HEADER}\n${sections.join("\n")}`;
}

/** The migrations contained in a complete schema text, in order. */
export async function parseCompleteSchema(text: string, where: string): Promise<Migration[]> {
  const lines = normaliseSql(text).split("\n");
  const sections: { file: string; body: string }[] = [];
  let open: { file: string; from: number } | undefined;
  lines.forEach((line, index) => {
    if (line.startsWith(BEGIN)) {
      if (open) throw sectionError(where, index, `section '${open.file}' is not closed`);
      open = { file: line.slice(BEGIN.length).trim(), from: index + 1 };
    } else if (line.startsWith(END)) {
      const marker = line.slice(END.length).trim();
      const noFinalNewline = marker.endsWith(NO_FINAL_NEWLINE);
      if (!open || marker.slice(0, noFinalNewline ? -NO_FINAL_NEWLINE.length : undefined) !== open.file) {
        throw sectionError(where, index, "an end-section marker does not match the open section");
      }
      const body = lines.slice(open.from, index).join("\n") + (noFinalNewline ? "" : "\n");
      sections.push({ file: open.file, body });
      open = undefined;
    }
  });
  if (open) throw sectionError(where, lines.length, `section '${open.file}' is not closed`);
  if (sections.length === 0) throw sectionError(where, 1, "it has no dbmigrate:section");
  const migrations: Migration[] = [];
  for (const section of sections) migrations.push(await parseMigration(section.file, section.body, where));
  return migrations;
}

function sectionError(where: string, index: number, what: string): UsageError {
  return new UsageError(`the complete schema is malformed: ${what}`, {
    file: where,
    line: index + 1,
    hint: "Regenerate it with `dbmigrate build-complete`",
  });
}

/**
 * Reads `file`'s sections and checks each against its migration in `migrationsDir` (a stale
 * complete schema is refused, naming the section).
 */
export async function readCompleteSchema(
  files: FileReader,
  file: string,
  migrations: readonly Migration[],
  migrationsDir: string,
): Promise<Migration[]> {
  let text: string;
  try {
    text = await files.read(file);
  } catch (error) {
    throw new UsageError(`cannot read the complete schema`, {
      file,
      cause: error,
      hint: "Run from the project root or pass --complete-schema",
    });
  }
  const sections = await parseCompleteSchema(text, file);
  for (const section of sections) {
    const source = migrations.find((m) => m.version === section.version);
    if (!source || source.checksum !== section.checksum) {
      throw new UsageError(
        `the complete schema is stale: its section ${section.file} differs from ${path.join(migrationsDir, section.file)}`,
        { file, hint: "Regenerate it with `dbmigrate build-complete` and commit it" },
      );
    }
  }
  return sections;
}
