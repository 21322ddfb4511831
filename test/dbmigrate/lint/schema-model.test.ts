/** Which column type changes widen (safe) and which may narrow, as narrowing-type-change judges them. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SchemaModel, widens, type ColumnType } from "../../../dbmigrate/lint/schema-model";
import { parseSql } from "../../../dbmigrate/sql/parse";

const t = (name: string, ...mods: number[]): ColumnType => ({ name, mods });

describe("type widening", () => {
  const cases: [ColumnType, ColumnType, boolean][] = [
    [t("int4"), t("int8"), true],
    [t("int8"), t("int4"), false],
    [t("int2"), t("numeric"), true],
    [t("varchar", 10), t("varchar", 20), true],
    [t("varchar", 20), t("varchar", 10), false],
    [t("varchar", 20), t("text"), true],
    [t("text"), t("varchar", 500), false],
    [t("numeric", 10, 2), t("numeric", 12, 2), true],
    [t("numeric", 10, 2), t("numeric", 10, 4), false],
    [t("float4"), t("float8"), true],
    [t("timestamp"), t("timestamptz"), true],
    [t("timestamp", 6), t("timestamptz", 3), false],
    [t("timestamptz"), t("timestamp"), false],
    [t("int4"), t("float8"), true],
    [t("int2"), t("float4"), true],
    [t("int4"), t("float4"), false],
    [t("int8"), t("float8"), false],
    [t("int4"), t("numeric", 10, 0), true],
    [t("int8"), t("numeric", 10, 0), false],
    [t("int4"), t("numeric"), true],
    [t("uuid"), t("text"), true],
    [t("text"), t("uuid"), false],
    [t("bpchar", 5), t("text"), false],
    [t("text"), t("text"), true],
  ];
  for (const [from, to, expected] of cases) {
    it(`${from.name}(${from.mods}) -> ${to.name}(${to.mods}) ${expected ? "widens" : "may narrow"}`, () => {
      assert.equal(widens(from, to), expected);
    });
  }
});

describe("the schema model", () => {
  async function modelAfter(...files: string[]): Promise<SchemaModel> {
    const model = new SchemaModel();
    for (const file of files) {
      model.beginFile();
      for (const statement of (await parseSql(file, "x.sql")).statements) model.apply(statement);
    }
    return model;
  }

  it("keeps tables of the same name in different schemas apart", async () => {
    const model = await modelAfter(
      "CREATE SCHEMA app;\nCREATE TABLE app.items (n int4);\nCREATE TABLE items (n text);\n",
      "SET search_path = app, public;\nCREATE TABLE other (id int8);\n",
      "SELECT 1;\n",
    );
    assert.deepEqual(model.columnType("app.items", "n"), t("int4"));
    assert.deepEqual(model.columnType("public.items", "n"), t("text"));
    assert.deepEqual(model.columnType("items", "n"), t("text"), "a new file starts from the default search_path");
    assert.deepEqual(model.columnType("app.other", "id"), t("int8"), "SET search_path moved the table");
    assert.equal(model.columnType("public.other", "id"), undefined);
  });

  it("counts what this file created, what its new schemas hold, and temporary tables as new", async () => {
    const model = await modelAfter(
      "CREATE TABLE old (n int4);\nCREATE SCHEMA gone;\n",
      "CREATE TEMP TABLE scratch (n int4);\nCREATE SCHEMA fresh;\nCREATE TABLE fresh.t (n int4);\nCREATE VIEW v AS SELECT 1;\nCREATE TYPE mood AS ENUM ('a');\n",
    );
    for (const name of ["scratch", "fresh.t", "v", "public.v", "mood"]) assert.ok(model.isNew(name), name);
    for (const name of ["old", "public.old", "gone.x"]) assert.ok(!model.isNew(name), name);
    assert.ok(model.isNewSchema("fresh") && !model.isNewSchema("gone"));
  });
});
