/**
 * The Pulumi SDK's own dynamic-provider host, started as the engine starts it, and a gRPC client
 * that speaks to it as the engine does. The host declares acceptSecrets=false, so the engine (and
 * this harness) sends secrets unwrapped.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import * as readline from "node:readline";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";

// The SDK's generated code and the same google-protobuf copy it uses.
const sdkDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
const grpc: Any = require(require.resolve("@grpc/grpc-js", { paths: [sdkDir] }));
const providerGrpc: Any = require(path.join(sdkDir, "proto/provider_grpc_pb"));
const providerPb: Any = require(path.join(sdkDir, "proto/provider_pb"));
const { Struct }: Any = require(require.resolve("google-protobuf/google/protobuf/struct_pb", { paths: [sdkDir] }));

/** The Pulumi wire format's secret marker, from the SDK. */
const SIG_KEY = specialSigKey;
const SECRET_SIG = specialSecretSig;

/** `value` with every secret wrapper replaced by its plain value (what the engine sends this host). */
export function unwrapSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (value && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (record[SIG_KEY] === SECRET_SIG) return unwrapSecrets(record.value);
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, unwrapSecrets(v)]));
  }
  return value;
}

/** A running host and a client for it. */
export interface ProviderHost {
  check(
    olds: object,
    news: object,
  ): Promise<{ inputs: Record<string, unknown>; failures: { property: string; reason: string }[] }>;
  diff(id: string, olds: object, news: object): Promise<{ changes: "none" | "some" | "unknown"; replaces: string[] }>;
  create(inputs: object): Promise<{ id: string; properties: Record<string, unknown> }>;
  read(id: string, properties: object): Promise<{ id: string; properties: Record<string, unknown> }>;
  update(id: string, olds: object, news: object): Promise<Record<string, unknown>>;
  delete(id: string, properties: object): Promise<void>;
  /** GetPluginInfo: the cheapest round trip, a floor for benchmarks. */
  pluginInfo(): Promise<void>;
  /** Everything the host wrote to stderr so far (the provider's progress lines). */
  stderr(): string;
  stop(): Promise<void>;
}

const URN = "urn:pulumi:test::agoat-database::pulumi-nodejs:dynamic/agoat:DatabaseSchema::schema";

/** Starts `node …/cmd/dynamic-provider` in `cwd` (the project root, or a copy of it). */
export async function startProviderHost(
  cwd: string,
  env: Record<string, string | undefined> = {},
): Promise<ProviderHost> {
  const entry = path.join(cwd, "node_modules/@pulumi/pulumi/cmd/dynamic-provider");
  const child: ChildProcess = spawn(process.execPath, [entry, "127.0.0.1:1"], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d));
  const port = await new Promise<string>((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout! });
    lines.once("line", (line) => resolve(line.trim()));
    child.once("exit", (code) => reject(new Error(`provider host exited with ${code}: ${stderr}`)));
  });
  const client = new providerGrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const call = <T>(method: string, request: Any): Promise<T> =>
    new Promise((resolve, reject) =>
      client[method](request, (error: Error | null, response: T) => (error ? reject(error) : resolve(response))),
    );
  const struct = (value: object) => Struct.fromJavaScript(unwrapSecrets(value));
  const changesName: Record<number, "none" | "some" | "unknown"> = {
    [providerPb.DiffResponse.DiffChanges.DIFF_NONE]: "none",
    [providerPb.DiffResponse.DiffChanges.DIFF_SOME]: "some",
    [providerPb.DiffResponse.DiffChanges.DIFF_UNKNOWN]: "unknown",
  };
  return {
    async check(olds, news) {
      const req = new providerPb.CheckRequest();
      req.setUrn(URN);
      req.setOlds(struct(olds));
      req.setNews(struct(news));
      const res: Any = await call("check", req);
      return {
        inputs: res.getInputs().toJavaScript(),
        failures: res.getFailuresList().map((f: Any) => ({ property: f.getProperty(), reason: f.getReason() })),
      };
    },
    async diff(id, olds, news) {
      const req = new providerPb.DiffRequest();
      req.setId(id);
      req.setUrn(URN);
      req.setOlds(struct(olds));
      req.setNews(struct(news));
      const res: Any = await call("diff", req);
      return { changes: changesName[res.getChanges()], replaces: res.getReplacesList() };
    },
    async create(inputs) {
      const req = new providerPb.CreateRequest();
      req.setUrn(URN);
      req.setProperties(struct(inputs));
      const res: Any = await call("create", req);
      return { id: res.getId(), properties: res.getProperties().toJavaScript() };
    },
    async read(id, properties) {
      const req = new providerPb.ReadRequest();
      req.setId(id);
      req.setUrn(URN);
      req.setProperties(struct(properties));
      const res: Any = await call("read", req);
      return { id: res.getId(), properties: res.getProperties().toJavaScript() };
    },
    async update(id, olds, news) {
      const req = new providerPb.UpdateRequest();
      req.setId(id);
      req.setUrn(URN);
      req.setOlds(struct(olds));
      req.setNews(struct(news));
      const res: Any = await call("update", req);
      return res.getProperties().toJavaScript();
    },
    async delete(id, properties) {
      const req = new providerPb.DeleteRequest();
      req.setId(id);
      req.setUrn(URN);
      req.setProperties(struct(properties));
      await call("delete", req);
    },
    async pluginInfo() {
      const emptyPb: Any = require(require.resolve("google-protobuf/google/protobuf/empty_pb", { paths: [sdkDir] }));
      await call("getPluginInfo", new emptyPb.Empty());
    },
    stderr: () => stderr,
    async stop() {
      client.close();
      child.kill();
      await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once("exit", resolve)));
    },
  };
}
