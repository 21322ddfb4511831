/** Reads docs/queries.md: each query with the index that must serve it. */
import { readFileSync } from "node:fs";

/** One catalog entry. */
export interface CatalogQuery {
  id: string;
  title: string;
  index: string;
  /** The SQL with `:name` placeholders. */
  sql: string;
}

/** The catalog's queries, in order. */
export function readQueryCatalog(file = "docs/queries.md"): CatalogQuery[] {
  const text = readFileSync(file, "utf8");
  const entries: CatalogQuery[] = [];
  const pattern = /^### (Q\d+) — (.+)$\n+Index: `([a-z0-9_]+)`\n+```sql\n([\s\S]*?)\n```/gm;
  for (const m of text.matchAll(pattern)) entries.push({ id: m[1], title: m[2], index: m[3], sql: m[4] });
  return entries;
}

/** `:name` placeholders turned into `$n`, with their values from `params`. */
export function bindPlaceholders(sql: string, params: Record<string, unknown>): { text: string; values: unknown[] } {
  const names: string[] = [];
  const text = sql.replace(/(?<!:):([a-z_]+)/g, (_, name: string) => {
    if (!(name in params)) throw new Error(`no sample value for :${name}`);
    if (!names.includes(name)) names.push(name);
    return `$${names.indexOf(name) + 1}`;
  });
  return { text, values: names.map((n) => params[n]) };
}
