/**
 * Per-stack databases for review stacks (`pr-<number>`), used by .github/workflows/review-stack.yml:
 *
 *   node --import tsx scripts/review-database.ts create agoat_pr_42   # creates it if missing
 *   node --import tsx scripts/review-database.ts url agoat_pr_42      # prints its DSN (to stdout only)
 *   node --import tsx scripts/review-database.ts drop agoat_pr_42     # drops it and everything in it
 *
 * The review cluster's admin DSN comes from REVIEW_ADMIN_DATABASE_URL, its CA from DATABASE_CA_CERT.
 */
import { promises as fs } from "node:fs";
import { createConnect, parseDsn } from "../dbmigrate/connection";
import { withClient } from "../dbmigrate/db";
import { parseServerVersion } from "../dbmigrate/dialect";
import { DbMigrateError, messageOf } from "../dbmigrate/errors";
import { Redactor } from "../dbmigrate/redact";

/** A database name a review stack may use. */
const NAME_PATTERN = /^[a-z][a-z0-9_]{0,62}$/;

async function run(command: string | undefined, name: string | undefined, redactor: Redactor): Promise<void> {
  const admin = process.env.REVIEW_ADMIN_DATABASE_URL;
  if (!admin) throw new Error("REVIEW_ADMIN_DATABASE_URL is not set: the review cluster's admin DSN");
  if (!name || !NAME_PATTERN.test(name))
    throw new Error(`'${name ?? ""}' is not a database name (lower-case letters, digits, underscores)`);
  redactor.add(parseDsn(admin).password);
  const caCert = process.env.DATABASE_CA_CERT ? await fs.readFile(process.env.DATABASE_CA_CERT, "utf8") : undefined;
  if (command === "url") {
    const url = new URL(admin);
    url.pathname = `/${name}`;
    process.stdout.write(`${url.toString()}\n`);
    return;
  }
  const connect = await createConnect({ dsn: admin, caCert });
  await withClient(connect, async (client) => {
    const exists = ((await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name])).rowCount ?? 0) > 0;
    if (command === "create") {
      if (!exists) await client.query(`CREATE DATABASE ${name}`);
      process.stderr.write(`${exists ? "database exists" : "created database"}: ${name}\n`);
    } else if (command === "drop") {
      const { rows } = await client.query<{ version: string }>("SELECT version() AS version");
      // CockroachDB drops a database's contents with CASCADE; PostgreSQL needs other sessions gone.
      const how = parseServerVersion(rows[0].version).engine === "cockroachdb" ? "CASCADE" : "WITH (FORCE)";
      await client.query(`DROP DATABASE IF EXISTS ${name} ${how}`);
      process.stderr.write(`${exists ? "dropped database" : "no such database"}: ${name}\n`);
    } else {
      throw new Error("usage: review-database.ts create|url|drop NAME");
    }
  });
}

const redactor = new Redactor();
run(process.argv[2], process.argv[3], redactor).catch((error: unknown) => {
  const text = error instanceof DbMigrateError ? error.describe() : messageOf(error);
  process.stderr.write(`review-database: ${redactor.redact(text)}\n`);
  process.exit(1);
});
