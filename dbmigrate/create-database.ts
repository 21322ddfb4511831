/**
 * Creating and dropping a whole database, over a connection to another one of the same server
 * (the admin DSN): the one helper the CLI (`up --create-database`), the review-stack script and
 * `npm run local` use. Both engines: PostgreSQL has no `CREATE DATABASE IF NOT EXISTS`, so it is
 * a look-up, then a create that tolerates losing a race.
 */
import { withClient, type Connect } from "./db";
import { parseServerVersion } from "./dialect";
import { sqlStateOf, UsageError } from "./errors";
import { dsnWithDatabase, type Dsn } from "./settings/dsn";

/** A database name these helpers accept: created unquoted, so lower-case letters, digits, underscores. */
export const DATABASE_NAME_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

function checkedName(name: string): string {
  if (!DATABASE_NAME_PATTERN.test(name)) {
    throw new UsageError(`'${name}' is not a database name dbmigrate creates`, {
      hint: "Use lower-case letters, digits and underscores (at most 63), starting with a letter or underscore",
    });
  }
  return name;
}

/** Creates database `name` unless it exists; resolves to whether it created it. */
export async function createDatabaseIfMissing(admin: Connect, name: string): Promise<boolean> {
  checkedName(name);
  return withClient(admin, async (client) => {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if ((found.rowCount ?? 0) > 0) return false;
    try {
      await client.query(`CREATE DATABASE ${name}`);
      return true;
    } catch (error) {
      // 42P04 duplicate_database: another run created it in between, which is all we wanted.
      if (sqlStateOf(error) === "42P04") return false;
      throw error;
    }
  });
}

/** Drops database `name` and everything in it, ending other sessions; resolves to whether it existed. */
export async function dropDatabaseIfExists(admin: Connect, name: string): Promise<boolean> {
  checkedName(name);
  return withClient(admin, async (client) => {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    const { rows } = await client.query<{ version: string }>("SELECT version() AS version");
    // CockroachDB drops a database's contents with CASCADE; PostgreSQL needs the other sessions gone.
    const how = parseServerVersion(rows[0].version).engine === "cockroachdb" ? "CASCADE" : "WITH (FORCE)";
    await client.query(`DROP DATABASE IF EXISTS ${name} ${how}`);
    return (found.rowCount ?? 0) > 0;
  });
}

/** The DSN of database `name` on the server `dsn` points at (same credentials and parameters). */
export function dsnForDatabase(dsn: Dsn, name: string): Dsn {
  return dsnWithDatabase(dsn, checkedName(name));
}
