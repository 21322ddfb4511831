/**
 * `DatabaseSchema` (module `agoat`): a dynamic resource that applies the migrations and seeds the
 * default tenant inside `pulumi up`.
 *
 * Its provider is serialized by value into the state, and `delete` runs the stored copy, perhaps
 * from another checkout on another machine. So the stored code is a small, stable shim: each
 * method `require`s the implementation (`infra/database-schema-provider.ts`, an adapter over
 * dbmigrate) from the project it runs in, at call time. It captures no client, no absolute path
 * and no secret (docs/adrs/0004-provider-reads-secrets-at-run-time.md).
 */
import * as pulumi from "@pulumi/pulumi";
import type { Teardown } from "./config";
import type { SeedParams } from "../product/inputs";

/** A migration as the resource knows it: what the preview diffs. */
export interface MigrationRef {
  file: string;
  checksum: string;
}

/** Inputs of {@link DatabaseSchema}. Give either the two secret versions or the DSN (and CA). */
export interface DatabaseSchemaArgs {
  /** Secret Manager version holding the DSN (gcp mode): the DSN itself never enters the state. */
  databaseUrlSecretVersion?: pulumi.Input<string>;
  /** Secret Manager version holding the CA certificate (gcp mode). */
  caCertSecretVersion?: pulumi.Input<string>;
  /** The DSN, a Pulumi secret (none mode). */
  databaseUrl?: pulumi.Input<string>;
  /** The CA certificate PEM (none mode). */
  caCert?: pulumi.Input<string>;
  /** The migration files and checksums this checkout holds, in order. */
  migrations: pulumi.Input<MigrationRef[]>;
  /** Where they are, relative to the project root. */
  migrationsDir: string;
  /** The default tenant. */
  seed: pulumi.Input<SeedParams>;
  /** What `pulumi destroy` does: `retain` leaves everything, `drop` drops every table of the schema. */
  teardown: Teardown;
}

/** The type token: dynamic resources live under `pulumi-nodejs:dynamic`, here in module `agoat`. */
export const DATABASE_SCHEMA_TYPE = "pulumi-nodejs:dynamic/agoat:DatabaseSchema";

/** Where the provider's implementation lives, relative to the project root. */
export const PROVIDER_IMPLEMENTATION = "infra/database-schema-provider.ts";

/** The provider stored in the state: every method defers to the implementation in the project. */
export const databaseSchemaProvider: pulumi.dynamic.ResourceProvider = {
  check: (olds, news) => implementation().check(olds, news),
  diff: (id, olds, news) => implementation().diff(id, olds, news),
  create: (inputs) => implementation().create(inputs),
  read: (id, props) => implementation().read(id, props),
  update: (id, olds, news) => implementation().update(id, olds, news),
  delete: (id, props) => implementation().delete(id, props),
};

type Implementation = Required<
  Pick<pulumi.dynamic.ResourceProvider, "check" | "diff" | "create" | "read" | "update" | "delete">
>;

function implementation(): Implementation {
  // Its hooks are registered once per process: every method call comes through here. tsx compiles
  // the TypeScript on the fly, so no build step stands between checkout and deploy.
  const host = globalThis as { __agoatTsxRegistered?: boolean };
  if (!host.__agoatTsxRegistered) {
    require("tsx/cjs/api").register();
    host.__agoatTsxRegistered = true;
  }
  // The project the provider runs in: the folder of Pulumi.yaml at or above the working directory
  // (the engine may start the provider in the program's folder, infra/, or at the root).
  const path = require("node:path");
  const fs = require("node:fs");
  let root = process.cwd();
  while (!fs.existsSync(path.join(root, "Pulumi.yaml"))) {
    const parent = path.dirname(root);
    if (parent === root) throw new Error(`no Pulumi.yaml at or above ${process.cwd()}: run pulumi in the project`);
    root = parent;
  }
  return require(path.join(root, PROVIDER_IMPLEMENTATION)).databaseSchemaProviderImplementation;
}

/** The applied schema and default tenant of one database. */
export class DatabaseSchema extends pulumi.dynamic.Resource {
  /** Every applied migration (file and checksum), as read from the history. */
  declare readonly appliedMigrations: pulumi.Output<MigrationRef[]>;
  /** The highest applied migration version. */
  declare readonly schemaVersion: pulumi.Output<number>;
  /** `postgres` or `cockroachdb`. */
  declare readonly engine: pulumi.Output<string>;
  declare readonly serverVersion: pulumi.Output<string>;
  declare readonly defaultCustomerId: pulumi.Output<string>;
  declare readonly defaultSiteId: pulumi.Output<string>;
  /** Differences found by the last refresh between the state and the database; empty when in sync. */
  declare readonly drift: pulumi.Output<string[]>;

  constructor(name: string, args: DatabaseSchemaArgs, opts: pulumi.CustomResourceOptions = {}) {
    const { migrations, caCert, ...rest } = args;
    // What a preview prints is every input not named `__...` (see the provider's SchemaInputs):
    // the file list is hidden there, the CA certificate is a secret, and `__preview` lets the
    // provider's check add the preview-only lists (files to apply, drift found by a refresh).
    const inputs = {
      ...rest,
      caCert: caCert === undefined ? undefined : pulumi.secret(caCert),
      __migrations: migrations,
      __preview: pulumi.runtime.isDryRun(),
    };
    const outputs = {
      appliedMigrations: undefined,
      schemaVersion: undefined,
      engine: undefined,
      serverVersion: undefined,
      defaultCustomerId: undefined,
      defaultSiteId: undefined,
      drift: undefined,
    };
    super(
      databaseSchemaProvider,
      name,
      { ...inputs, ...outputs },
      { ...opts, additionalSecretOutputs: ["databaseUrl", "caCert"] },
      "agoat",
      "DatabaseSchema",
    );
  }
}
