/**
 * The Pulumi program: config -> secrets -> schema -> stack outputs, nothing else. An async main,
 * so that bad config or a bad migration file fails with one line before any resource exists.
 */
import * as pulumi from "@pulumi/pulumi";
import { loadConfig } from "./config";
import { createStack, readMigrationRefs } from "./stack";

export = async () => {
  const config = loadConfig();
  // The project root, not the working directory: with `main: infra/` the program runs in infra/.
  const migrations = await readMigrationRefs(pulumi.getRootDirectory());
  const outputs = await createStack(config, migrations);
  return {
    // The secret versions exist in gcp mode only (an undefined output would draw an engine warning).
    ...(outputs.databaseUrlSecretVersion && { databaseUrlSecretVersion: outputs.databaseUrlSecretVersion }),
    ...(outputs.caCertSecretVersion && { caCertSecretVersion: outputs.caCertSecretVersion }),
    schemaVersion: outputs.schemaVersion,
    appliedMigrations: outputs.appliedMigrations,
    defaultCustomerId: outputs.defaultCustomerId,
    defaultSiteId: outputs.defaultSiteId,
  };
};
