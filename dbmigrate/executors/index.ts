/** The executor for each engine. */
import type { Engine } from "../dialect";
import { cockroachExecutor } from "./cockroachdb";
import { postgresExecutor } from "./postgres";
import type { MigrationExecutor } from "./types";

/** PostgreSQL: one transaction per migration; CockroachDB: statement by statement with progress. */
export function executorFor(engine: Engine): MigrationExecutor {
  return engine === "postgres" ? postgresExecutor : cockroachExecutor;
}
