/**
 * The session state every migration starts from. A migration may `SET search_path`,
 * `statement_timeout`, `lock_timeout` or `ROLE` for its own statements (as it would under
 * `psql -f`); when it ends, the engine puts back what the session had before it, so the engine's
 * own writes, the next migration and the product's steps never inherit it. On PostgreSQL the reset
 * runs inside the migration's transaction, before its history row is written; on the
 * statement-by-statement path, after its last statement (or where it stopped).
 */
import type { SqlClient } from "./db";

/** The settings restored after each migration (what the engine or the DSN set, and a migration may change). */
export const RESTORED_SETTINGS = ["search_path", "statement_timeout", "lock_timeout"] as const;

/** One setting's name. */
export type RestoredSetting = (typeof RESTORED_SETTINGS)[number];

/** The session's settings and role, as captured before the first migration. */
export interface SessionState {
  readonly settings: Readonly<Record<RestoredSetting, string>>;
  /** `current_user`: after `SET ROLE x` it is x. */
  readonly role: string;
}

/** Reads the session's state: one query. */
export async function captureSession(client: SqlClient): Promise<SessionState> {
  const columns = RESTORED_SETTINGS.map((name, k) => `current_setting('${name}') AS s${k}`).join(", ");
  const { rows } = await client.query<Record<string, string>>(`SELECT ${columns}, current_user AS role`);
  const row = rows[0];
  const settings = Object.fromEntries(RESTORED_SETTINGS.map((name, k) => [name, row[`s${k}`]])) as Record<
    RestoredSetting,
    string
  >;
  return { settings, role: row.role };
}

/**
 * Puts `state` back: the settings in one `set_config` query (PostgreSQL and CockroachDB both
 * have it, with PostgreSQL's meaning; CockroachDB's session variables, these three included:
 * https://www.cockroachlabs.com/docs/v23.2/set-vars), and `RESET ROLE` when the role is no longer the session's.
 * Session-level (`is_local` false), so it outlasts the transaction it may run in.
 */
export async function restoreSession(client: SqlClient, state: SessionState): Promise<void> {
  const values = RESTORED_SETTINGS.map((name) => state.settings[name]);
  const calls = RESTORED_SETTINGS.map((name, k) => `set_config('${name}', $${k + 1}, false)`).join(", ");
  const { rows } = await client.query<{ role: string }>(`SELECT ${calls}, current_user AS role`, values);
  // The engine never sets a role itself: RESET ROLE goes back to the one the session logged in
  // with (or the DSN's `options=-c role=...`).
  if (rows[0]?.role !== state.role) await client.query("RESET ROLE");
}
