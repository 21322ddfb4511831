/**
 * The CockroachDB path against a real CockroachDB, when COCKROACH_URL names one (the
 * `cockroachdb` workflow starts 23.2, 24.3, 25.2 and latest as service containers). Without it
 * the suite says so and runs nothing here: no CockroachDB binary exists on this machine.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it, type TestContext } from "node:test";
import { connectTo, withDb } from "../support/engine";
import { failTimes, instrument } from "../support/faults";
import { madeUp, table } from "../support/made-up";

const URL_VAR = "COCKROACH_URL";
const base = process.env[URL_VAR];

/** A fresh database on the cluster; its DSN. */
async function freshDatabase(): Promise<string> {
  const name = `dbmigrate_${randomBytes(4).toString("hex")}`;
  await withDb(base!, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(base!);
  url.pathname = `/${name}`;
  return url.toString();
}

const THREE = { "0001_three.sql": `${table("t_one")}\n${table("t_two")}\n${table("t_three")}\n` };

/** Runs `body` against the cluster, or says why it cannot. */
function onCockroach(name: string, body: () => Promise<void>) {
  it(name, async (t: TestContext) => {
    if (!base) {
      t.skip(`${URL_VAR} is not set: the CockroachDB-path tests against a real CockroachDB did not run`);
      return;
    }
    await body();
  });
}

describe("real CockroachDB (COCKROACH_URL)", () => {
  onCockroach("detects CockroachDB and decides features from the cluster's active version", async () => {
    const status = await madeUp(await connectTo(await freshDatabase()), THREE).status();
    assert.equal(status.engine, "cockroachdb");
    assert.match(status.activeVersion, /^\d+\.\d+/);
  });

  onCockroach("applies statement by statement with progress, and a second up changes nothing", async () => {
    const dsn = await freshDatabase();
    const result = await madeUp(await connectTo(dsn), THREE).up();
    assert.equal(result.applied[0].engine, "cockroachdb");
    assert.deepEqual((await madeUp(await connectTo(dsn), THREE).up()).applied, []);
    const rows = await withDb(dsn, (c) => c.query(`SELECT statements_done::INT AS done, dirty FROM schema_migrations`));
    assert.deepEqual(rows.rows, [{ done: 3, dirty: false }]);
  });

  onCockroach("resumes at the statement that failed definitely", async () => {
    const dsn = await freshDatabase();
    const broken = madeUp(instrument(await connectTo(dsn), [], [failTimes(/^CREATE TABLE t_two/, "XXA00", 1)]), THREE);
    await assert.rejects(broken.up(), /dirty at statement 2 of 3/);
    const result = await madeUp(await connectTo(dsn), THREE).up();
    assert.equal(result.applied[0].resumedAt, 2);
  });
});
