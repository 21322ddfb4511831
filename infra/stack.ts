/**
 * The stack: config -> secrets -> schema -> outputs. A function, so tests can build it under
 * `pulumi.runtime.setMocks` for each stack's config.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "./config";
import { DatabaseSchema, type MigrationRef } from "./database-schema";
import type { DatabaseSecrets } from "./database-secrets";
// The light surface: the program lists the migrations by name and checksum and never parses them.
import { DEFAULT_MIGRATIONS_DIR, errorLine, readMigrationRefs as listMigrations } from "../dbmigrate/inputs";

/** The stack outputs. */
export interface StackOutputs {
  /** Resource name of the DSN's secret version (gcp mode). */
  databaseUrlSecretVersion?: pulumi.Output<string>;
  /** Resource name of the CA certificate's secret version (gcp mode). */
  caCertSecretVersion?: pulumi.Output<string>;
  schemaVersion: pulumi.Output<number>;
  appliedMigrations: pulumi.Output<MigrationRef[]>;
  defaultCustomerId: pulumi.Output<string>;
  defaultSiteId: pulumi.Output<string>;
}

/**
 * The migration files of the project at `root` (the folder of Pulumi.yaml), in order. Read before
 * any resource is declared, so that a bad file fails the program with one line (a RunError) and
 * nothing is registered.
 */
export async function readMigrationRefs(root: string, migrationsDir = DEFAULT_MIGRATIONS_DIR): Promise<MigrationRef[]> {
  try {
    return await listMigrations(path.resolve(root, migrationsDir));
  } catch (error) {
    throw new pulumi.RunError(errorLine(error));
  }
}

/**
 * Declares every resource of the stack. `migrations` are the files of `migrationsDir` (relative to
 * the project root: the provider resolves it again wherever it runs).
 */
export async function createStack(
  config: StackConfig,
  migrations: MigrationRef[],
  migrationsDir = DEFAULT_MIGRATIONS_DIR,
): Promise<StackOutputs> {
  const protect = config.protect;
  let secrets: DatabaseSecrets | undefined;
  if (config.secretStore === "gcp") {
    // Loaded only in gcp mode: @pulumi/gcp costs about a second of every preview that does not use it.
    const { DatabaseSecrets } = await import("./database-secrets.js");
    secrets = new DatabaseSecrets(
      "database",
      {
        project: config.project!,
        environment: config.environment,
        databaseUrl: config.databaseUrl,
        caCert: config.caCert!,
        accessors: config.secretAccessors,
        replicaLocations: config.secretReplicaLocations,
      },
      { protect },
    );
  }
  const connection = secrets
    ? { databaseUrlSecretVersion: secrets.databaseUrlSecretVersion, caCertSecretVersion: secrets.caCertSecretVersion }
    : { databaseUrl: config.databaseUrl, caCert: config.caCert };
  const schema = new DatabaseSchema(
    "schema",
    { ...connection, migrations, migrationsDir, seed: config.seed, teardown: config.teardown },
    { dependsOn: secrets?.versions, protect },
  );
  return {
    databaseUrlSecretVersion: secrets?.databaseUrlSecretVersion,
    caCertSecretVersion: secrets?.caCertSecretVersion,
    schemaVersion: schema.schemaVersion,
    appliedMigrations: schema.appliedMigrations,
    defaultCustomerId: schema.defaultCustomerId,
    defaultSiteId: schema.defaultSiteId,
  };
}
