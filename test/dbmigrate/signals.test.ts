/**
 * stopOnSignals: the first SIGINT/SIGTERM aborts the run's signal (reason: the signal's name), a
 * second exits at once with 128 + its number after one line; the handlers go when the work ends.
 * (The whole path with real processes and a real PostgreSQL is in processes.test.ts.)
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { stopOnSignals } from "../../dbmigrate/signals";

describe("stopOnSignals", () => {
  for (const [name, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const) {
    it(`${name}: the first aborts the work's signal, a second exits ${code} at once`, async () => {
      const said: string[] = [];
      const exits: number[] = [];
      const before = process.listenerCount(name);
      await stopOnSignals(
        (line) => said.push(line),
        async (signal) => {
          assert.equal(process.listenerCount(name), before + 1);
          process.emit(name);
          assert.equal(signal.aborted, true);
          assert.equal(signal.reason, name);
          assert.deepEqual(exits, [], "the first signal lets the run stop cleanly");
          assert.deepEqual(said, [], "the run's own last line says it");
          process.emit(name);
        },
        (exitCode) => exits.push(exitCode),
      );
      assert.deepEqual(exits, [code]);
      assert.equal(said.length, 1);
      assert.match(said[0], new RegExp(`^${name} again: exiting now; the migration lock is left to its lease`));
      assert.equal(process.listenerCount(name), before, "handlers removed");
    });
  }
});
