/**
 * A {@link SchemaDiff} rendered for people and scripts: text (one line per change), Markdown for a
 * pull-request comment (a table of changes and the changed tables as a Mermaid ER fragment, which
 * GitHub renders), JSON (the diff as is, with both hashes).
 */
import { changeDetails, CHANGE_MARKS, columnText } from "./describe";
import type { SchemaDiff } from "./diff";
import type { SchemaSnapshot } from "./model";

/** The formats of `dbmigrate diff`. */
export const DIFF_FORMATS = ["text", "markdown", "json"] as const;
export type DiffFormat = (typeof DIFF_FORMATS)[number];

/** Default: at most this many tables in the ER fragment (a comment stays readable). */
export const DEFAULT_ER_TABLES = 12;

/** One line per change; `No schema change.` when there is none. */
export function renderDiffText(diff: SchemaDiff): string {
  if (diff.changes.length === 0) return "No schema change.";
  return diff.changes
    .map((c) => {
      const details = changeDetails(c);
      return `${CHANGE_MARKS[c.change]} ${c.kind} ${c.object}${details ? `: ${details}` : ""}`;
    })
    .join("\n");
}

/**
 * A Markdown table of the changes, then the changed tables of `head` (their columns, new ones
 * marked) as a Mermaid `erDiagram`, with the foreign keys among them.
 */
export function renderDiffMarkdown(
  diff: SchemaDiff,
  head: SchemaSnapshot,
  options: { maxTables?: number } = {},
): string {
  if (diff.changes.length === 0) return "No schema change.";
  const lines = ["| | Object | Change |", "|---|---|---|"];
  for (const c of diff.changes) {
    lines.push(`| ${CHANGE_MARKS[c.change]} ${c.change} | ${c.kind} \`${c.object}\` | ${cell(changeDetails(c))} |`);
  }
  const er = renderErFragment(diff, head, options.maxTables ?? DEFAULT_ER_TABLES);
  if (er) lines.push("", "```mermaid", er, "```");
  return lines.join("\n");
}

/** The diff as JSON (stable: the changes are already ordered). */
export function renderDiffJson(diff: SchemaDiff): string {
  return JSON.stringify(diff, null, 2);
}

/** Renders in `format`. */
export function renderDiff(diff: SchemaDiff, head: SchemaSnapshot, format: DiffFormat): string {
  if (format === "json") return renderDiffJson(diff);
  if (format === "markdown") return renderDiffMarkdown(diff, head);
  return renderDiffText(diff);
}

/** The `erDiagram` of the tables the diff adds or alters (as they are in `head`); empty when none. */
export function renderErFragment(diff: SchemaDiff, head: SchemaSnapshot, maxTables = DEFAULT_ER_TABLES): string {
  // A dropped table is not in `head`; every other change names a table of `head` or none.
  const changed = new Set(diff.changes.filter((c) => c.table !== null).map((c) => c.table));
  const tables = head.tables.filter((t) => changed.has(t.name)).slice(0, maxTables);
  if (tables.length === 0) return "";
  const added = new Set(diff.changes.filter((c) => c.change === "added" && c.kind === "column").map((c) => c.object));
  const altered = new Set(
    diff.changes.filter((c) => c.change === "altered" && c.kind === "column").map((c) => c.object),
  );
  const newTables = new Set(diff.changes.filter((c) => c.change === "added" && c.kind === "table").map((c) => c.name));
  const names = new Set(tables.map((t) => t.name));
  const lines = ["erDiagram"];
  for (const t of tables) {
    const keys = new Map<string, Set<string>>();
    for (const k of t.constraints) {
      const mark = k.kind === "primary key" ? "PK" : k.kind === "foreign key" ? "FK" : k.kind === "unique" ? "UK" : "";
      if (!mark) continue;
      for (const column of constrainedColumns(k.definition)) {
        if (!keys.has(column)) keys.set(column, new Set());
        keys.get(column)!.add(mark);
      }
    }
    lines.push(`  ${erName(t.name)} {`);
    for (const c of t.columns) {
      const marks = [...(keys.get(c.name) ?? [])].sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b)).join(", ");
      const id = `${t.name}.${c.name}`;
      const note = newTables.has(t.name) ? "" : added.has(id) ? "added" : altered.has(id) ? "altered" : "";
      lines.push(
        `    ${erType(c.type)} ${erName(c.name)}${marks ? ` ${marks}` : ""}${note ? ` "${note}: ${erComment(columnText(c))}"` : ""}`,
      );
    }
    lines.push("  }");
  }
  for (const t of tables) {
    for (const k of t.constraints) {
      if (k.kind !== "foreign key" || !k.references || !names.has(k.references)) continue;
      const columns = constrainedColumns(k.definition);
      const optional = columns.some((col) => t.columns.find((c) => c.name === col)?.nullable);
      lines.push(`  ${erName(k.references)} ${optional ? "|o" : "||"}--o{ ${erName(t.name)} : "${erComment(k.name)}"`);
    }
  }
  return lines.join("\n");
}

const ORDER = ["PK", "FK", "UK"];

/** The key columns of `PRIMARY KEY (a, b)`, `FOREIGN KEY (a) REFERENCES ...`, `UNIQUE (a)`. */
function constrainedColumns(definition: string): string[] {
  const m = /^(?:PRIMARY KEY|FOREIGN KEY|UNIQUE)\s*\(([^)]*)\)/i.exec(definition);
  return m ? m[1].split(",").map((c) => c.trim().replace(/^"|"$/g, "")) : [];
}

// Mermaid's ER grammar takes word characters in names and types: anything else becomes `_`.
function erName(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, "_");
}

function erType(type: string): string {
  return type
    .replace(/\[\]/g, "_array")
    .replace(/[^A-Za-z0-9_]+/g, "_")
    .replace(/_+$/, "");
}

function erComment(text: string): string {
  return text.replace(/"/g, "'").replace(/\s+/g, " ");
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\s+/g, " ");
}
