/**
 * Clients that write down every query they send to the server (each `query` of node-postgres'
 * client is one round trip), for tests that count round trips or read what was sent. A query sent
 * while another is still in flight fails the test: node-postgres would queue it with a deprecation
 * warning on stderr, and the engine never sends one.
 */
import assert from "node:assert/strict";
import type { Connect, SqlClient } from "../../dbmigrate/db";

/** A client that records what it sends. */
export type CountingClient = SqlClient & { trips: string[] };

/** `client`, recording into `trips` (a new list unless given). */
export function counting(client: SqlClient, trips: string[] = []): CountingClient {
  let busy = false;
  return {
    trips,
    async query(text, values) {
      assert.equal(busy, false, `a second query while one is in flight: ${text}`);
      busy = true;
      trips.push(text);
      try {
        return await client.query(text, values);
      } finally {
        busy = false;
      }
    },
    end: () => client.end(),
  };
}

/** `connect`, every client it opens recording into the one `trips` list. */
export function countingConnect(connect: Connect, trips: string[] = []): { connect: Connect; trips: string[] } {
  return { trips, connect: async () => counting(await connect(), trips) };
}
