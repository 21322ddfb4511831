/**
 * PostgreSQL or CockroachDB: what the server is, which features it has, and the one seam through
 * which the engine asks CockroachDB-specific questions (cluster version, schema-change jobs), so
 * tests can answer them with CockroachDB's documented outputs (docs/adrs/0003, 0008).
 */
import type { SqlClient } from "./db";
import { ConnectionError, messageOf, sqlStateOf } from "./errors";
import type { Feature } from "./migrations";

/** The two engines dbmigrate knows. */
export type Engine = "postgres" | "cockroachdb";

/** What the server said about itself. */
export interface ServerInfo {
  /** The engine the server is (detected; never the `--engine` a person forced). */
  engine: Engine;
  /** `PostgreSQL 17.2` or `CockroachDB CCL v25.2.1`. */
  serverVersion: string;
  /** [major, minor] of the binary. */
  version: [number, number];
  /**
   * The version features are decided from: PostgreSQL's `server_version_num`, CockroachDB's
   * cluster active version (`SHOW CLUSTER SETTING version`), which lags the binary until an
   * upgrade is finalized.
   */
  activeVersion: { text: string; major: number; minor: number };
}

/** A schema-change job CockroachDB has not finished. */
export interface SchemaJob {
  jobId: string;
  status: string;
  description: string;
}

/**
 * The server's answers the engine needs. The default asks the server; tests answer the
 * CockroachDB questions with outputs taken from CockroachDB's documentation.
 */
export interface ServerQueries {
  /** `SELECT version()` and `server_version_num`, in one round trip. */
  identify(client: SqlClient): Promise<{ version: string; serverVersionNum: string }>;
  /** CockroachDB only: the cluster's active version, e.g. `24.3` or `24.3-upgrading-to-25.1-step-008`. */
  clusterVersion(client: SqlClient): Promise<string>;
  /** CockroachDB only: schema-change jobs still pending, running, paused or reverting. */
  unfinishedSchemaJobs(client: SqlClient): Promise<SchemaJob[]>;
}

/** Asks the server itself. */
export const sqlServerQueries: ServerQueries = {
  async identify(client) {
    const { rows } = await client.query<{ version: string; num: string }>(
      "SELECT version() AS version, current_setting('server_version_num') AS num",
    );
    return { version: rows[0].version, serverVersionNum: rows[0].num };
  },
  async clusterVersion(client) {
    const { rows } = await client.query<{ version: string }>("SHOW CLUSTER SETTING version");
    return String(rows[0].version);
  },
  async unfinishedSchemaJobs(client) {
    const { rows } = await client.query<{ job_id: unknown; status: string; description: string }>(
      `SELECT job_id, status, description FROM [SHOW JOBS]
        WHERE job_type LIKE '%SCHEMA CHANGE%' AND status IN ('pending', 'running', 'paused', 'reverting')`,
    );
    return rows.map((r) => ({ jobId: String(r.job_id), status: r.status, description: r.description }));
  },
};

/** Identifies the server, reading the version that decides features (one or two queries). */
export async function probeServer(client: SqlClient, queries: ServerQueries = sqlServerQueries): Promise<ServerInfo> {
  const { version, serverVersionNum } = await queries.identify(client);
  const info = parseServerVersion(version);
  if (info.engine === "cockroachdb") {
    let text: string;
    try {
      text = await queries.clusterVersion(client);
    } catch (error) {
      throw new ConnectionError(
        `cannot read the cluster's active version (SHOW CLUSTER SETTING version): ${messageOf(error)}`,
        {
          sqlState: sqlStateOf(error),
          cause: error,
          hint: "Features follow the cluster version; grant the migration role VIEWCLUSTERSETTING (GRANT SYSTEM VIEWCLUSTERSETTING TO <role>)",
        },
      );
    }
    const m = /^(\d+)\.(\d+)/.exec(text);
    return { ...info, activeVersion: { text, major: Number(m?.[1] ?? 0), minor: Number(m?.[2] ?? 0) } };
  }
  const num = Number(serverVersionNum);
  return {
    ...info,
    activeVersion: { text: serverVersionNum, major: Math.floor(num / 10000), minor: num % 10000 },
  };
}

/** Reads the engine and the binary's version from the text of `SELECT version()`. */
export function parseServerVersion(text: string): Omit<ServerInfo, "activeVersion"> {
  const crdb = /CockroachDB\s+\w*\s*v(\d+)\.(\d+)(?:\.\d+)?/.exec(text);
  if (crdb) {
    return { engine: "cockroachdb", serverVersion: crdb[0], version: [Number(crdb[1]), Number(crdb[2])] };
  }
  const pg = /PostgreSQL\s+(\d+)(?:\.(\d+))?/.exec(text);
  const version: [number, number] = pg ? [Number(pg[1]), Number(pg[2] ?? 0)] : [0, 0];
  return { engine: "postgres", serverVersion: pg ? pg[0] : text.split(" on ")[0], version };
}

/**
 * How a migration runs on each engine.
 * - PostgreSQL: the whole migration and its history row in one transaction (all or nothing).
 * - CockroachDB: DDL inside an explicit transaction is not atomic there (since 25.1 it even
 *   auto-commits what came before), and DDL after a write in one transaction fails (0A000); so
 *   each statement runs on its own, with its progress recorded in the history row.
 */
export function runsMigrationInTransaction(engine: Engine): boolean {
  return engine === "postgres";
}

/**
 * The CockroachDB version (cluster active version) that brings each feature a migration may
 * declare; undefined: every CockroachDB the project supports. The lint checks a file that declares
 * a feature against this version (dbmigrate/sql/cockroachdb-version.ts).
 */
export const COCKROACHDB_FEATURE_SINCE: Record<Feature, readonly [number, number] | undefined> = {
  // Row-level security arrived in CockroachDB 25.2: https://www.cockroachlabs.com/docs/v25.2/row-level-security
  row_level_security: [25, 2],
  cockroachdb: undefined,
};

/** Whether the server has a feature a migration declares with `dbmigrate:requires`. */
export function supportsFeature(info: ServerInfo, feature: Feature): boolean {
  switch (feature) {
    case "row_level_security":
      // PostgreSQL since 9.5 (server_version_num 90500); CockroachDB once the cluster runs 25.2.
      return info.engine === "postgres"
        ? info.activeVersion.major * 10000 + info.activeVersion.minor >= 90500
        : atLeast(
            [info.activeVersion.major, info.activeVersion.minor],
            COCKROACHDB_FEATURE_SINCE.row_level_security ?? [0, 0],
          );
    case "cockroachdb":
      // A CockroachDB-only migration (docs/adrs/0013): any CockroachDB the project supports.
      return info.engine === "cockroachdb";
  }
}

/** Why a feature is missing on `info`, for messages. */
export function featureRequirement(feature: Feature, info: ServerInfo): string {
  const have =
    info.engine === "cockroachdb"
      ? `the cluster's active version is ${info.activeVersion.text}`
      : `server_version_num is ${info.activeVersion.text}`;
  switch (feature) {
    case "row_level_security":
      return `row-level security needs PostgreSQL 9.5+ or a CockroachDB cluster at version 25.2+ (${have})`;
    case "cockroachdb":
      return `it waits for CockroachDB: the file is headed -- dbmigrate:requires cockroachdb and this server is ${info.serverVersion}`;
  }
}

function atLeast(have: readonly [number, number], want: readonly [number, number]): boolean {
  return have[0] > want[0] || (have[0] === want[0] && have[1] >= want[1]);
}
