/**
 * PostgreSQL or CockroachDB: detection, and the one documented place where the two differ in
 * what the engine may do (docs/adrs/0003-lock-row-instead-of-advisory-locks.md).
 */
import type { Feature } from "./migrations";

/** The two engines dbmigrate knows. */
export type Engine = "postgres" | "cockroachdb";

/** What the server said about itself. */
export interface ServerInfo {
  engine: Engine;
  /** `PostgreSQL 17.2` or `CockroachDB CCL v25.2.1`. */
  serverVersion: string;
  /** [major, minor] of the engine's own version. */
  version: [number, number];
}

/** Reads the engine and version from the text of `SELECT version()`. */
export function parseServerVersion(text: string): ServerInfo {
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
 *   each statement runs on its own, with the history row marked dirty before the first and clean
 *   after the last.
 */
export function runsMigrationInTransaction(engine: Engine): boolean {
  return engine === "postgres";
}

/** Whether the server has a feature a migration declares with `dbmigrate:requires`. */
export function supportsFeature(info: ServerInfo, feature: Feature): boolean {
  switch (feature) {
    case "row_level_security":
      // PostgreSQL has had it since 9.5; CockroachDB since 25.2.
      return info.engine === "postgres" || atLeast(info.version, [25, 2]);
  }
}

/** Why a feature is missing, for messages. */
export function featureRequirement(feature: Feature): string {
  switch (feature) {
    case "row_level_security":
      return "row-level security needs PostgreSQL or CockroachDB 25.2+";
  }
}

function atLeast(have: [number, number], want: [number, number]): boolean {
  return have[0] > want[0] || (have[0] === want[0] && have[1] >= want[1]);
}
