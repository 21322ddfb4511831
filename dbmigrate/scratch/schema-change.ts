/**
 * The one path of `dbmigrate diff` and the pull-request review: the base migrations (a folder,
 * or the same folder at a git ref) and the head folder, each applied by the engine to a throwaway
 * PostgreSQL, compared object by object.
 */
import { existsSync, statSync } from "node:fs";
import type { Logger } from "../clock";
import type { Engine } from "../dialect";
import { ENGINE_TABLES, Migrator } from "../runner";
import { diffMigrationFolders, type FolderDiff, type ScratchDatabases } from "../snapshot/folder-diff";
import { folderAtRef } from "./git-folder";

/** What to compare. */
export interface SchemaChangeRequest {
  /** A folder of migrations, or a git ref whose copy of `to` is the base. */
  from: string;
  /** The head folder. */
  to: string;
  engine?: Engine;
  logger?: Logger;
  /** Default: an embedded PostgreSQL started for the run. */
  scratch?: ScratchDatabases;
}

/** Resolves `from`, starts the scratch server when none is given, compares, cleans up. */
export async function schemaChange(request: SchemaChangeRequest): Promise<FolderDiff & { from: string }> {
  const isFolder = existsSync(request.from) && statSync(request.from).isDirectory();
  const base = isFolder ? { dir: request.from, cleanup: () => undefined } : await folderAtRef(request.from, request.to);
  let server: { stop(): Promise<void> } | undefined;
  try {
    let scratch: ScratchDatabases | undefined = request.scratch;
    if (scratch === undefined) {
      request.logger?.info("starting a throwaway PostgreSQL ...");
      // Loaded here only: the embedded server is a development dependency, needed by no other command.
      const { startScratchPostgres } = require("./embedded-postgres") as typeof import("./embedded-postgres");
      const started = await startScratchPostgres();
      server = started;
      scratch = started;
    }
    const result = await diffMigrationFolders(base.dir, request.to, {
      scratch: scratch,
      engineTables: ENGINE_TABLES,
      engine: request.engine,
      logger: request.logger,
      apply: async (connect, migrationsDir, engine) => {
        // The schema only: no product steps (seed, audit rows change rows, not the catalog).
        await new Migrator({ connect, migrationsDir, engine }).up();
      },
    });
    return { ...result, from: isFolder ? request.from : `${request.from}:${request.to}` };
  } finally {
    await server?.stop();
    base.cleanup();
  }
}
