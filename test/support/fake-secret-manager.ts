/**
 * A local Secret Manager: a gRPC server built from the protos that ship in
 * @google-cloud/secret-manager, so the real client is tested over the wire. It answers
 * AccessSecretVersion (and the calls the Pulumi provider could make), NOT_FOUND for unknown
 * names and PERMISSION_DENIED for names marked denied.
 */
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import * as path from "node:path";

/** A running fake. */
export interface FakeSecretManager {
  /** `127.0.0.1:port`, for SECRET_MANAGER_EMULATOR_HOST. */
  host: string;
  /** Stores `value` as version 1 (and latest) of `projects/P/secrets/S`; returns the version name. */
  put(secret: string, value: string): string;
  /** Makes every access to `secret` answer PERMISSION_DENIED. */
  deny(secret: string): void;
  /** Names asked for, in order. */
  accessed: string[];
  stop(): Promise<void>;
}

const PROTO_ROOT = path.resolve("node_modules/@google-cloud/secret-manager/build/protos");
const GAX_PROTOS = path.resolve("node_modules/google-gax/build/protos");

/** Starts the fake on a free loopback port. */
export async function startFakeSecretManager(): Promise<FakeSecretManager> {
  const definition = protoLoader.loadSync("google/cloud/secretmanager/v1/service.proto", {
    includeDirs: [PROTO_ROOT, GAX_PROTOS],
    keepCase: false,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    google: { cloud: { secretmanager: { v1: { SecretManagerService: { service: grpc.ServiceDefinition } } } } };
  };
  const versions = new Map<string, string>();
  const denied = new Set<string>();
  const accessed: string[] = [];
  const server = new grpc.Server();
  server.addService(loaded.google.cloud.secretmanager.v1.SecretManagerService.service, {
    accessSecretVersion(call: grpc.ServerUnaryCall<{ name: string }, unknown>, callback: grpc.sendUnaryData<unknown>) {
      const name = call.request.name;
      accessed.push(name);
      const secret = name.replace(/\/versions\/[^/]+$/, "");
      if (denied.has(secret)) {
        callback({
          code: grpc.status.PERMISSION_DENIED,
          details: `Permission 'secretmanager.versions.access' denied for resource '${name}'`,
        });
        return;
      }
      const value = versions.get(name);
      if (value === undefined) {
        callback({ code: grpc.status.NOT_FOUND, details: `Secret Version [${name}] not found.` });
        return;
      }
      callback(null, { name: name.replace(/latest$/, "1"), payload: { data: Buffer.from(value, "utf8") } });
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return {
    host: `127.0.0.1:${port}`,
    accessed,
    put(secret, value) {
      versions.set(`${secret}/versions/1`, value);
      versions.set(`${secret}/versions/latest`, value);
      return `${secret}/versions/1`;
    },
    deny(secret) {
      denied.add(secret);
    },
    stop: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
