/**
 * Schema changes in words: one short line per change (`+ column posts.tags text[] NOT NULL`),
 * shared by the text and Markdown renderings, drift reports and the pull-request comment.
 */
import type { AttributeChange, SchemaChange } from "./diff";
import type { ColumnSnapshot, TableSnapshot } from "./model";

/** `+` added, `-` dropped, `~` altered. */
export const CHANGE_MARKS = { added: "+", dropped: "-", altered: "~" } as const;

/** What the object is: `column posts.tags`, `table post_tags`, `function touch()`. */
export function objectLabel(change: Pick<SchemaChange, "kind" | "object">): string {
  return `${change.kind} ${change.object}`;
}

/** The details of a change in one line (no mark, no label). */
export function changeDetails(change: SchemaChange): string {
  const a = change.attributes;
  if (change.change === "altered") return change.changed.map(describeAttribute).join("; ");
  switch (change.kind) {
    case "table": {
      const t = a as unknown as Omit<TableSnapshot, "name">;
      const parts = [
        count(t.columns.length, "column"),
        count(t.indexes.length, "index", "indexes"),
        count(t.constraints.length, "constraint"),
        t.policies.length ? count(t.policies.length, "policy", "policies") : "",
        t.rowLevelSecurity ? `row-level security${t.forceRowLevelSecurity ? " (forced)" : ""}` : "",
      ];
      return `${parts.filter(Boolean).join(", ")}: ${t.columns.map((c) => c.name).join(", ")}`;
    }
    case "column":
      return columnText(a as unknown as Omit<ColumnSnapshot, "name">);
    case "index":
    case "constraint":
    case "trigger":
      return String(a.definition);
    case "policy":
      return [
        `FOR ${String(a.command)}`,
        a.permissive === false ? "RESTRICTIVE" : "",
        `TO ${(a.roles as string[]).join(", ")}`,
        a.using ? `USING (${String(a.using)})` : "",
        a.withCheck ? `WITH CHECK (${String(a.withCheck)})` : "",
      ]
        .filter(Boolean)
        .join(" ");
    case "enum":
      return (a.values as string[]).map((v) => `'${v}'`).join(", ");
    case "function":
      return `${a.kind === "procedure" ? "procedure" : `returns ${String(a.returns)}`}, ${String(a.language)}, ${String(a.volatility)}`;
    case "view":
      return oneLine(String(a.definition));
    case "sequence":
      return `${String(a.type)}${a.ownedBy ? `, owned by ${String(a.ownedBy)}` : ""}`;
  }
}

/** `+ column posts.tags: text[] NOT NULL DEFAULT '{}'::text[]`. */
export function changeLine(change: SchemaChange): string {
  const details = changeDetails(change);
  return `${CHANGE_MARKS[change.change]} ${objectLabel(change)}${details ? `: ${details}` : ""}`;
}

/** A column as in a CREATE TABLE: `text[] NOT NULL DEFAULT '{}'::text[]`. */
export function columnText(c: Omit<ColumnSnapshot, "name">): string {
  return [
    c.type,
    c.nullable ? "" : "NOT NULL",
    c.default !== null ? `DEFAULT ${c.default}` : "",
    c.generated ? `GENERATED ${c.generated.toUpperCase()}` : "",
  ]
    .filter(Boolean)
    .join(" ");
}

const ATTRIBUTE_NAMES: Record<string, string> = {
  rowLevelSecurity: "row-level security",
  forceRowLevelSecurity: "forced row-level security",
  withCheck: "WITH CHECK",
  using: "USING",
  securityDefiner: "security definer",
  ownedBy: "owned by",
};

// Switches read as on/off; other yes/no attributes (nullable, unique) as yes/no.
const SWITCHES = new Set(["rowLevelSecurity", "forceRowLevelSecurity", "enabled"]);

function describeAttribute(c: AttributeChange): string {
  const show = (v: unknown) => (typeof v === "boolean" && !SWITCHES.has(c.attribute) ? (v ? "yes" : "no") : value(v));
  return `${ATTRIBUTE_NAMES[c.attribute] ?? c.attribute} ${show(c.from)} → ${show(c.to)}`;
}

function value(v: unknown): string {
  if (v === null || v === undefined) return "none";
  if (typeof v === "boolean") return v ? "on" : "off";
  if (Array.isArray(v)) return `[${v.join(", ")}]`;
  return oneLine(String(v));
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
