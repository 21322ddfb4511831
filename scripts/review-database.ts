/**
 * Per-stack databases for review stacks (`pr-<number>`), used by .github/workflows/review-stack.yml:
 *
 *   node --import tsx scripts/review-database.ts create agoat_pr_42   # creates it if missing
 *   node --import tsx scripts/review-database.ts url agoat_pr_42      # prints its DSN (to stdout only)
 *   node --import tsx scripts/review-database.ts drop agoat_pr_42     # drops it and everything in it
 *
 * The review cluster's admin DSN comes from REVIEW_ADMIN_DATABASE_URL, its CA from DATABASE_CA_CERT.
 * Progress and errors go through dbmigrate's one output layer (redacted, one line); stderr is
 * guarded. stdout is not: `url` exists to hand the DSN, password included, to the workflow.
 */
import {
  createConnect,
  createDatabaseIfMissing,
  createOutput,
  dropDatabaseIfExists,
  dsnForDatabase,
  guardStreams,
  processSinks,
  resolveConnection,
  UsageError,
} from "../dbmigrate";

/** A database name a review stack may use. */
const NAME_PATTERN = /^[a-z][a-z0-9_]{0,62}$/;

const output = createOutput("review-database", processSinks);
guardStreams(output.redactor, [process.stderr]);

async function run(command: string | undefined, name: string | undefined): Promise<void> {
  const admin = process.env.REVIEW_ADMIN_DATABASE_URL;
  if (!admin) throw new UsageError("REVIEW_ADMIN_DATABASE_URL is not set: the review cluster's admin DSN");
  if (!name || !NAME_PATTERN.test(name))
    throw new UsageError(`'${name ?? ""}' is not a database name (lower-case letters, digits, underscores)`);
  const resolved = await resolveConnection(
    { databaseUrl: admin, caCertFile: process.env.DATABASE_CA_CERT },
    output.redactor,
  );
  if (command === "url") {
    process.stdout.write(`${dsnForDatabase(resolved.dsn, name).text}\n`);
    return;
  }
  const connect = await createConnect(resolved);
  if (command === "create") {
    const created = await createDatabaseIfMissing(connect, name);
    output.logger.info(`${created ? "created database" : "database exists"}: ${name}`);
  } else if (command === "drop") {
    const existed = await dropDatabaseIfExists(connect, name);
    output.logger.info(`${existed ? "dropped database" : "no such database"}: ${name}`);
  } else {
    throw new UsageError("usage: review-database.ts create|url|drop NAME");
  }
}

run(process.argv[2], process.argv[3]).catch((error: unknown) => {
  process.exit(output.fail(error));
});
