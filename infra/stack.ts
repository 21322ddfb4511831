/**
 * The stack: config -> secrets -> schema -> outputs. A function, so tests can build it under
 * `pulumi.runtime.setMocks` for each stack's config.
 */
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "./config";
import { DatabaseSchema, type MigrationRef } from "./database-schema";
import { DatabaseSecrets } from "./database-secrets";
import { DEFAULT_MIGRATIONS_DIR, loadMigrations } from "../dbmigrate";

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

/** Declares every resource of the stack. */
export function createStack(config: StackConfig, migrationsDir = DEFAULT_MIGRATIONS_DIR): StackOutputs {
  const migrations = loadMigrations(migrationsDir).then((list) =>
    list.map(({ file, checksum }) => ({ file, checksum })),
  );
  const protect = config.protect;
  let secrets: DatabaseSecrets | undefined;
  if (config.secretStore === "gcp") {
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
