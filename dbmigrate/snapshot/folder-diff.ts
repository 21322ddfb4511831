/**
 * What a change to the migrations folder does to the schema: the base folder and the head folder
 * each applied by the engine to a throwaway database, both catalogs read, and the snapshots
 * compared object by object. The databases come from a {@link ScratchDatabases} (an embedded
 * PostgreSQL for `dbmigrate diff`, a test's server in tests).
 */
import { silentLogger, type Logger } from "../clock";
import type { Connect } from "../db";
import { withClient } from "../db";
import type { Engine } from "../dialect";
import { loadMigrations, type Migration } from "../migrations";
import { diffSnapshots, type SchemaDiff } from "./diff";
import type { SchemaSnapshot } from "./model";
import { readSnapshot } from "./read";

/** Where the throwaway databases come from. */
export interface ScratchDatabases {
  /** A new, empty database. */
  create(label: string): Promise<{ connect: Connect; drop(): Promise<void> }>;
}

/** Files of the head folder compared with the base folder. */
export interface FolderChanges {
  /** New files: what an update would apply. */
  added: Migration[];
  /** Files in both whose bytes differ (an edited applied migration: `up` refuses it). */
  edited: string[];
  /** Files only in the base. */
  removed: string[];
}

/** The schema change of a folder change. */
export interface FolderDiff {
  files: FolderChanges;
  base: SchemaSnapshot;
  head: SchemaSnapshot;
  diff: SchemaDiff;
}

/** Options of {@link diffMigrationFolders}. */
export interface FolderDiffOptions {
  scratch: ScratchDatabases;
  /** The engine tables to leave out of the snapshots. */
  engineTables: readonly string[];
  /** Applies a folder to a database (the engine's `up`, without the product's steps). */
  apply(connect: Connect, migrationsDir: string, engine: Engine | undefined): Promise<void>;
  engine?: Engine;
  logger?: Logger;
}

/** Applies `baseDir` and `headDir` to two throwaway databases and compares their catalogs. */
export async function diffMigrationFolders(
  baseDir: string,
  headDir: string,
  options: FolderDiffOptions,
): Promise<FolderDiff> {
  const logger = options.logger ?? silentLogger;
  const [baseFiles, headFiles] = await Promise.all([loadMigrations(baseDir), loadMigrations(headDir)]);
  const snapshotOf = async (label: string, dir: string, count: number): Promise<SchemaSnapshot> => {
    const db = await options.scratch.create(label);
    try {
      logger.info(`applying the ${label} migrations (${count} files) to a throwaway database ...`);
      await options.apply(db.connect, dir, options.engine);
      return await withClient(db.connect, (client) => readSnapshot(client, { excludeTables: options.engineTables }));
    } finally {
      await db.drop().catch(() => undefined);
    }
  };
  const base = await snapshotOf("base", baseDir, baseFiles.length);
  const head = await snapshotOf("head", headDir, headFiles.length);
  return { files: folderChanges(baseFiles, headFiles), base, head, diff: diffSnapshots(base, head) };
}

/** The files added, edited and removed between two loaded folders. */
export function folderChanges(base: readonly Migration[], head: readonly Migration[]): FolderChanges {
  const before = new Map(base.map((m) => [m.file, m.checksum]));
  const after = new Set(head.map((m) => m.file));
  return {
    added: head.filter((m) => !before.has(m.file)),
    edited: head.filter((m) => before.has(m.file) && before.get(m.file) !== m.checksum).map((m) => m.file),
    removed: base.filter((m) => !after.has(m.file)).map((m) => m.file),
  };
}
