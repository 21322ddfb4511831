/** Walking the parser's JSON syntax tree: every node is `{ NodeType: { ...fields } }`. */
import type { SqlNode } from "../sql/parse";

/** Calls `visit` for every node under `root` (including `root` when it is a node), depth first. */
export function walk(root: unknown, visit: (type: string, node: SqlNode) => void): void {
  if (Array.isArray(root)) {
    for (const item of root) walk(item, visit);
    return;
  }
  if (root === null || typeof root !== "object") return;
  for (const [key, value] of Object.entries(root as SqlNode)) {
    // Node types are capitalised (CreateStmt, ColumnDef); fields are not.
    if (/^[A-Z]/.test(key) && value !== null && typeof value === "object" && !Array.isArray(value)) {
      visit(key, value as SqlNode);
    }
    walk(value, visit);
  }
}

/** The nodes of one type under `root`. */
export function nodesOf(root: unknown, type: string): SqlNode[] {
  const found: SqlNode[] = [];
  walk(root, (t, node) => {
    if (t === type) found.push(node);
  });
  return found;
}

/** The `sval` strings of a list of `String` nodes (qualified names, type names). */
export function names(list: unknown): string[] {
  return Array.isArray(list)
    ? list.map((item) => String((item as { String?: { sval?: string } }).String?.sval ?? ""))
    : [];
}

/** A byte location, when the node has one. */
export function locationOf(node: SqlNode | undefined): number | undefined {
  const location = node?.location;
  return typeof location === "number" && location >= 0 ? location : undefined;
}

/** A `RangeVar`'s name as written: `app.posts`, or `posts` when unqualified (the parser already folded case). */
export function qualifiedName(rangeVar: SqlNode | undefined): string | undefined {
  if (typeof rangeVar?.relname !== "string") return undefined;
  return typeof rangeVar.schemaname === "string" ? `${rangeVar.schemaname}.${rangeVar.relname}` : rangeVar.relname;
}

/** The relation a statement names (its `relation`), as written: `app.posts` or `posts`. */
export function relationName(node: SqlNode | undefined): string | undefined {
  return qualifiedName(node?.relation as SqlNode | undefined);
}
