/** Builds engines against test databases the way the CLI does: real connection code, real files. */
import { createConnect } from "../../dbmigrate/connection";
import type { Connect, SqlClient } from "../../dbmigrate/db";
import type { MigratorOptions } from "../../dbmigrate/runner";
import { agoatMigrator, type AgoatMigrator, type SeedParams } from "../../product";

/** A Migrator over `dsn` with the project's migrations and the AGoat steps; `options` override anything. */
export async function migratorFor(
  dsn: string,
  options: Partial<Omit<MigratorOptions, "product">> & { seed?: Partial<SeedParams> } = {},
): Promise<AgoatMigrator> {
  return agoatMigrator({ connect: await createConnect({ dsn }), ...options });
}

/** A fresh database on `pg` with every migration applied and the default seed; its DSN. */
export async function migratedDatabase(pg: { createDatabase(): Promise<string> }): Promise<string> {
  const dsn = await pg.createDatabase();
  await (await migratorFor(dsn)).up();
  return dsn;
}

/** A Connect over `dsn`. */
export function connectTo(dsn: string): Promise<Connect> {
  return createConnect({ dsn });
}

/** Runs `work` with one client on `dsn`. */
export async function withDb<T>(dsn: string, work: (client: SqlClient) => Promise<T>): Promise<T> {
  const client = await (await connectTo(dsn))();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Collects log lines. */
export function recordingLogger(): { lines: string[]; info(m: string): void; warn(m: string): void } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(m), warn: (m) => lines.push(`warning: ${m}`) };
}
