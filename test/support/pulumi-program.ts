/**
 * Runs the Pulumi program under `pulumi.runtime.setMocks` with a committed stack file's config,
 * recording every resource registration (type, name, inputs with secrets still wrapped, options
 * seen through parent and dependencies) as pulumi-awsx's tests do.
 */
import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE, loadConfig } from "../../infra/config";
import { DATABASE_SCHEMA_TYPE } from "../../infra/database-schema";
import { createStack, readMigrationRefs, type StackOutputs } from "../../infra/stack";
import { readStackFile } from "../../infra/stack-file";

/** One recorded registration. */
export interface Registered {
  type: string;
  name: string;
  /** Inputs as the engine received them (secrets still wrapped). */
  inputs: Record<string, unknown>;
  /** The parent's `type::name` (the stack for top-level resources). */
  parent?: string;
  protect?: boolean;
  /** `type::name` of each explicit dependency. */
  dependsOn: string[];
}

/** The secret wrapper of the Pulumi wire format: `{ [SIG_KEY]: SECRET_SIG, value }`, from the SDK. */
export { specialSecretSig as SECRET_SIG, specialSigKey as SIG_KEY } from "@pulumi/pulumi/runtime/rpc";

/** Mock state for a resource: inputs plus what the real provider would compute. */
function mockState(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
): { id: string; state: Record<string, unknown> } {
  switch (type) {
    case "gcp:secretmanager/secret:Secret":
      return {
        id: `projects/${inputs.project}/secrets/${inputs.secretId}`,
        state: { ...inputs, name: `projects/123456/secrets/${inputs.secretId}` },
      };
    case "gcp:secretmanager/secretVersion:SecretVersion": {
      const secret = String(inputs.secret).replace(/^projects\/[^/]+/, "projects/123456");
      return { id: `${secret}/versions/1`, state: { ...inputs, name: `${secret}/versions/1`, version: "1" } };
    }
    case DATABASE_SCHEMA_TYPE:
      return {
        id: "127.0.0.1:26257/agoat",
        state: {
          ...inputs,
          appliedMigrations: inputs.__migrations,
          schemaVersion: 2,
          defaultCustomerId: "c-1",
          defaultSiteId: "s-1",
          drift: [],
        },
      };
    default:
      return { id: `${name}-id`, state: inputs };
  }
}

/** Resolves an Output's value (under mocks every value is known). */
export function valueOf<T>(output: pulumi.Output<T> | undefined): Promise<T | undefined> {
  if (!output) return Promise.resolve(undefined);
  return new Promise((resolve) => output.apply((v) => resolve(v)));
}

/** Loads and validates `stack`'s config (committed file plus `extra`) as the program would. */
export async function loadStackConfig(stack: string, extra: Record<string, string> = {}) {
  await pulumi.runtime.setMocks(
    { newResource: (args) => ({ id: args.name, state: args.inputs }), call: (args) => args.inputs },
    CONFIG_NAMESPACE,
    stack,
    false,
  );
  pulumi.runtime.setAllConfig(readStackFile(stack, extra));
  return loadConfig(new pulumi.Config(CONFIG_NAMESPACE), new pulumi.Config("gcp"), stack);
}

/** Runs the program for `stack` with its committed config plus `extra`; returns what it registered. */
export async function runProgram(
  stack: string,
  extra: Record<string, string> = {},
): Promise<{ resources: Registered[]; outputs: StackOutputs }> {
  const resources: Registered[] = [];
  // Options are seen by a stack transformation; inputs by the mock monitor. Joined by type and name.
  const options = new Map<string, Pick<Registered, "parent" | "protect" | "dependsOn">>();
  const names = new Map<pulumi.Resource, string>();
  await pulumi.runtime.setMocks(
    {
      newResource(args: pulumi.runtime.MockResourceArgs) {
        resources.push({
          type: args.type,
          name: args.name,
          inputs: args.inputs,
          dependsOn: [],
          ...options.get(`${args.type}::${args.name}`),
        });
        return mockState(args.type, args.name, args.inputs);
      },
      call: (args: pulumi.runtime.MockCallArgs) => args.inputs,
    },
    CONFIG_NAMESPACE,
    stack,
    false,
  );
  pulumi.runtime.setAllConfig(readStackFile(stack, extra));
  let outputs: StackOutputs | undefined;
  await pulumi.runtime.runInPulumiStack(async () => {
    pulumi.runtime.registerStackTransformation((args) => {
      const key = `${args.type}::${args.name}`;
      names.set(args.resource, key);
      const dependsOn = ([] as unknown[])
        .concat(args.opts.dependsOn ?? [])
        .map((d) => names.get(d as pulumi.Resource) ?? "?");
      options.set(key, {
        parent: args.opts.parent ? (names.get(args.opts.parent) ?? "stack") : undefined,
        protect: args.opts.protect,
        dependsOn,
      });
      return undefined;
    });
    const config = loadConfig(new pulumi.Config(CONFIG_NAMESPACE), new pulumi.Config("gcp"), stack);
    outputs = await createStack(config, await readMigrationRefs(process.cwd()));
    // Wait for every registration: the schema's outputs resolve only after it was registered.
    await valueOf(outputs.defaultSiteId);
    await valueOf(outputs.caCertSecretVersion);
    return {};
  });
  return { resources, outputs: outputs! };
}

/** The registered resource of `type` (exactly one). */
export function only(resources: Registered[], type: string): Registered {
  const found = resources.filter((r) => r.type === type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0];
}
