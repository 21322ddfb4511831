/** The engine for a command, from its settings: the connection (DSN, CA, secrets), timeouts, lock, seed. */
import { createConnect, resolveConnection, type ResolvedConnection } from "../connection";
import { createDatabaseIfMissing, dsnForDatabase } from "../create-database";
// The CLI is a host: it registers the AGoat product's steps on the engine, as the Pulumi provider does.
import { agoatMigrator, type AgoatMigrator, type SeedParams } from "../../product";
import type { CommandContext } from "./context";

/** The server's maintenance database, which both engines have: where `CREATE DATABASE` runs. */
const ADMIN_DATABASE = "postgres";

/** A Migrator over the database the settings name; `--create-database` creates it first. */
export async function migratorFor(ctx: CommandContext): Promise<AgoatMigrator> {
  const s = ctx.settings;
  const timeouts = { connectTimeoutMs: s.connectTimeoutMs, statementTimeoutMs: s.statementTimeoutMs };
  const connection = await resolveConnection(
    {
      databaseUrl: s.databaseUrl,
      databaseUrlSecret: s.databaseUrlSecret,
      caCertFile: s.caCertFile,
      caCertSecret: s.caCertSecret,
      secretManager: s.secretManagerEmulatorHost ? { emulatorHost: s.secretManagerEmulatorHost } : {},
    },
    ctx.redactor,
  );
  if (s.createDatabase) await createTargetDatabase(ctx, connection, timeouts);
  return agoatMigrator({
    connect: await createConnect(connection, timeouts),
    migrationsDir: s.migrationsDir,
    completeSchemaFile: s.completeSchemaFile,
    engine: s.engine,
    seed: seedRequest(ctx),
    lock: { waitTimeoutMs: s.lockTimeoutMs, leaseMs: s.lockLeaseMs },
    ddlLockTimeoutMs: s.ddlLockTimeoutMs,
    allowOutOfOrder: s.allowOutOfOrder,
    logger: ctx.logger,
    redact: (text) => ctx.redactor.redact(text),
  });
}

/** The seed parameters that were given; the rest keep what the database's default tenant has. */
function seedRequest({ settings: s }: CommandContext): Partial<SeedParams> {
  return {
    customerName: s.customerName,
    customerSlug: s.customerSlug,
    siteName: s.siteName,
    siteSlug: s.siteSlug,
    siteHostname: s.siteHostname,
  };
}

async function createTargetDatabase(
  ctx: CommandContext,
  connection: ResolvedConnection,
  timeouts: { connectTimeoutMs?: number; statementTimeoutMs?: number },
): Promise<void> {
  const { database } = connection.dsn;
  const admin = await createConnect({ ...connection, dsn: dsnForDatabase(connection.dsn, ADMIN_DATABASE) }, timeouts);
  if (await createDatabaseIfMissing(admin, database)) ctx.logger.info(`created database ${database}`);
}
