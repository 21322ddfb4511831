/** Which column type changes widen (safe) and which may narrow, as narrowing-type-change judges them. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { widens, type ColumnType } from "../../../dbmigrate/lint/schema-model";

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
    [t("timestamp"), t("timestamptz"), false],
    [t("text"), t("text"), true],
  ];
  for (const [from, to, expected] of cases) {
    it(`${from.name}(${from.mods}) -> ${to.name}(${to.mods}) ${expected ? "widens" : "may narrow"}`, () => {
      assert.equal(widens(from, to), expected);
    });
  }
});
