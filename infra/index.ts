/** The Pulumi program: config -> secrets -> schema -> stack outputs, nothing else. */
import { loadConfig } from "./config";
import { createStack } from "./stack";

const outputs = createStack(loadConfig());

export const databaseUrlSecretVersion = outputs.databaseUrlSecretVersion;
export const caCertSecretVersion = outputs.caCertSecretVersion;
export const schemaVersion = outputs.schemaVersion;
export const appliedMigrations = outputs.appliedMigrations;
export const defaultCustomerId = outputs.defaultCustomerId;
export const defaultSiteId = outputs.defaultSiteId;
