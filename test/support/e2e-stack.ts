/**
 * Fixtures of the end-to-end tests: one PostgreSQL with TLS (a test CA, server name localhost)
 * per test file, and test stacks (secretStore none) of a project copy pointed at fresh databases.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { after, before } from "node:test";
import { makeCertificates, type TestCertificates } from "../../scripts/certificates";
import { databaseOf, startPostgres, type TestPostgres } from "./postgres";
import { initStack, must, pulumiOutputs, pulumiProject, type PulumiProject } from "./pulumi-cli";
import { tempDir } from "./temp";
import { CONFIG_NAMESPACE } from "../../infra/config";

/** The program's config namespace (infra/config.ts declares it). */
export const NS = CONFIG_NAMESPACE;
/** The DatabaseSchema resource's type token, as the engine prints it. */
export const SCHEMA_TYPE = "pulumi-nodejs:dynamic/agoat:DatabaseSchema";

/** The server and CA of the current test file. */
export interface E2eServer {
  pg: TestPostgres;
  certs: TestCertificates;
  /** The CA certificate (PEM) that verifies the server. */
  ca: string;
}

/**
 * Starts the file's server before its tests and stops it after them; afterwards, checks that no
 * `pulumi` command of the file printed the password.
 */
export function useE2eServer(): E2eServer {
  const server = {} as E2eServer;
  before(async () => {
    server.certs = await makeCertificates(path.join(tempDir(), "certs"), ["localhost"]);
    server.ca = readFileSync(server.certs.caCert, "utf8");
    server.pg = await startPostgres({ tls: { certFile: server.certs.serverCert, keyFile: server.certs.serverKey } });
  });
  after(async () => {
    await server.pg?.stop();
    for (const output of pulumiOutputs)
      assert.ok(!output.includes(server.pg.password), "a pulumi command printed the database password");
  });
  return server;
}

/** A DSN for `database` that verifies the server's certificate against the test CA. */
export function tlsDsn(server: E2eServer, database: string, password = server.pg.password): string {
  const { pg } = server;
  return `postgresql://postgres:${encodeURIComponent(password)}@localhost:${pg.port}/${database}?sslmode=verify-full`;
}

/** Plain config of a test stack, namespaced; `extra` adds or overrides keys (given without the namespace). */
export function stackConfig(server: E2eServer, extra: Record<string, string> = {}): Record<string, string> {
  const plain: Record<string, string> = {
    secretStore: "none",
    teardown: "drop",
    caCert: server.ca,
    "defaultCustomer.name": "E2E Customer",
    "defaultCustomer.slug": "e2e",
    "defaultSite.name": "E2E Site",
    "defaultSite.slug": "main",
    "defaultSite.hostname": "e2e.agoat.test",
    ...extra,
  };
  return Object.fromEntries(Object.entries(plain).map(([k, v]) => [`${NS}:${k}`, v]));
}

/** What {@link newStack} made. */
export interface E2eStack {
  project: PulumiProject;
  stack: string;
  database: string;
}

/** Stack `stack` of a project copy (a new one unless given), pointed at a fresh database (unless given). */
export async function newStack(
  server: E2eServer,
  options: { stack?: string; extra?: Record<string, string>; project?: PulumiProject; database?: string } = {},
): Promise<E2eStack> {
  const project = options.project ?? pulumiProject();
  const stack = options.stack ?? "e2e";
  const database = options.database ?? databaseOf(await server.pg.createDatabase());
  await initStack(project, stack, stackConfig(server, options.extra), {
    [`${NS}:databaseUrl`]: tlsDsn(server, database),
  });
  return { project, stack, database };
}

/** The tables of the public schema. */
export async function tablesOf(server: E2eServer, database: string): Promise<string[]> {
  const rows = await server.pg.query<{ table_name: string }>(
    database,
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
  );
  return rows.map((r) => r.table_name);
}

/** Sessions ever opened on `database` (PostgreSQL counts a session when it ends). */
export async function sessionsOf(server: E2eServer, database: string): Promise<number> {
  // The statistics of a session that just ended reach pg_stat_database a moment later.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const rows = await server.pg.query<{ sessions: string }>(
    "postgres",
    "SELECT sessions FROM pg_stat_database WHERE datname = $1",
    [database],
  );
  return Number(rows[0]?.sessions ?? 0);
}

/** The stack's outputs (secrets shown: the tests compare them with the database). */
export async function stackOutputs(project: PulumiProject, stack: string): Promise<Record<string, unknown>> {
  const run = await must(project.run(["stack", "output", "--stack", stack, "--json"]));
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

/** `text` as a regular expression matching it literally. */
export function literal(text: string): RegExp {
  return new RegExp(text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&"));
}
