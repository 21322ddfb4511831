/**
 * The database secrets in GCP Secret Manager: the DSN and the CockroachDB CA certificate, each a
 * Secret with one SecretVersion, readable by the configured accessors only.
 */
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";

/** The component's type token. */
export const DATABASE_SECRETS_TYPE = "agoat:database:DatabaseSecrets";
/** The role the accessors get, on these two secrets only. */
export const SECRET_ACCESSOR_ROLE = "roles/secretmanager.secretAccessor";
/** The `app` label on every secret. */
export const APP_LABEL = "agoat-publisher";

/** Arguments of {@link DatabaseSecrets}. */
export interface DatabaseSecretsArgs {
  /** GCP project that holds the secrets. */
  project: string;
  /** Stack name: part of the secret ids and the `environment` label. */
  environment: string;
  /** The DSN (a Pulumi secret). */
  databaseUrl: pulumi.Input<string>;
  /** The CA certificate PEM. */
  caCert: pulumi.Input<string>;
  /** IAM members granted read access to both secrets. */
  accessors: string[];
  /** Regions for user-managed replication; empty for automatic replication. */
  replicaLocations: string[];
}

/** Secret Manager secrets for the DSN and CA certificate, with their versions and IAM grants. */
export class DatabaseSecrets extends pulumi.ComponentResource {
  /** Resource name of the DSN's secret version (`projects/…/secrets/…/versions/N`). */
  readonly databaseUrlSecretVersion: pulumi.Output<string>;
  /** Resource name of the CA certificate's secret version. */
  readonly caCertSecretVersion: pulumi.Output<string>;
  /** The two versions, for `dependsOn`. */
  readonly versions: gcp.secretmanager.SecretVersion[];

  constructor(name: string, args: DatabaseSecretsArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(DATABASE_SECRETS_TYPE, name, {}, opts);
    // Children inherit `protect` from the component through `parent`.
    const child = { parent: this };
    const service = new gcp.projects.Service(
      `${name}-secretmanager-api`,
      // Other stacks and services use the API too: destroying this stack must not turn it off.
      {
        project: args.project,
        service: "secretmanager.googleapis.com",
        disableOnDestroy: false,
        disableDependentServices: false,
      },
      child,
    );
    const replication =
      args.replicaLocations.length > 0
        ? { userManaged: { replicas: args.replicaLocations.map((location) => ({ location })) } }
        : { auto: {} };
    const labels = { app: APP_LABEL, environment: args.environment };

    const makeSecret = (key: string, secretId: string, data: pulumi.Input<string>) => {
      const secret = new gcp.secretmanager.Secret(
        `${name}-${key}`,
        { project: args.project, secretId, replication, labels },
        { ...child, dependsOn: [service] },
      );
      const version = new gcp.secretmanager.SecretVersion(
        `${name}-${key}-version`,
        { secret: secret.id, secretData: pulumi.secret(data) },
        child,
      );
      for (const member of args.accessors) {
        new gcp.secretmanager.SecretIamMember(
          `${name}-${key}-accessor-${member.replace(/[^a-zA-Z0-9]+/g, "-")}`,
          { project: args.project, secretId: secret.secretId, role: SECRET_ACCESSOR_ROLE, member },
          child,
        );
      }
      return version;
    };
    const urlVersion = makeSecret("database-url", `agoat-${args.environment}-database-url`, args.databaseUrl);
    const caVersion = makeSecret("ca-cert", `agoat-${args.environment}-database-ca-cert`, args.caCert);
    this.versions = [urlVersion, caVersion];
    this.databaseUrlSecretVersion = urlVersion.name;
    this.caCertSecretVersion = caVersion.name;
    this.registerOutputs({
      databaseUrlSecretVersion: this.databaseUrlSecretVersion,
      caCertSecretVersion: this.caCertSecretVersion,
    });
  }
}
