/**
 * The pull-request review comment, built from recorded inputs (pure: no I/O, so the golden tests
 * run it on a made-up pull request): per stack, the migrations it would apply with their
 * statements, the lint findings, the schema change object by object (with a Mermaid ER fragment),
 * the risk notes and the default-tenant change; then the Pulumi preview's summary. One hidden
 * marker lets the workflow find and update the same comment on every push.
 */
import { changeLine, renderDiffMarkdown, type Finding, type SchemaDiff, type SchemaSnapshot } from "../dbmigrate";
import { riskNotes, type RiskNote } from "./review-risks";

/** The hidden marker the workflow looks for. */
export const REVIEW_MARKER = "<!-- agoat-database:review -->";

/** GitHub refuses a comment over 65,536 characters; this leaves room for the footer. */
export const MAX_COMMENT_CHARS = 60_000;

/** A statement of a migration, as the comment shows it. */
export interface StatementSummary {
  line: number;
  sql: string;
}

/** A migration file the pull request adds. */
export interface MigrationSummary {
  file: string;
  statements: StatementSummary[];
}

/** One stack, as the workflow recorded it. */
export interface StackInput {
  name: string;
  /** The default tenant's config keys at the base and at the head (`defaultSite.hostname`: value). */
  tenant: { base: Record<string, string>; head: Record<string, string> };
  /** From `pulumi preview --json`; absent when the preview did not run. */
  preview?: {
    changeSummary: Record<string, number>;
    /** The DatabaseSchema's `pendingMigrations` in the preview; null when it shows none. */
    pendingMigrations: string[] | null;
    /** Error and warning diagnostics, one line each. */
    diagnostics: string[];
  };
  /** Row estimates by table, when the workflow has them (for the risk notes). */
  rowEstimates?: Record<string, number>;
}

/** Everything the comment is built from (what `review-comment.ts collect` writes). */
export interface ReviewInput {
  pullRequest: { number: number; headSha: string; base: string; logUrl?: string };
  migrations: { added: MigrationSummary[]; edited: string[]; removed: string[] };
  lint: Finding[];
  schema: { diff: SchemaDiff; head: SchemaSnapshot };
  stacks: StackInput[];
}

/** One stack's part of the comment. */
export interface StackReport {
  name: string;
  /** Files this stack would apply (the preview's list, else the pull request's new files). */
  pending: MigrationSummary[];
  /** Pending files that the pull request does not add (main is ahead of this stack). */
  notInPullRequest: string[];
  findings: Finding[];
  schemaChanges: string[];
  risks: RiskNote[];
  tenantChanges: string[];
  preview: string;
  /** An earlier stack whose migrations, lint, schema change and risks are the same. */
  sameAs: string | null;
}

/** The comment as data (`--format json`). */
export interface ReviewReport {
  marker: string;
  pullRequest: ReviewInput["pullRequest"];
  edited: string[];
  removed: string[];
  stacks: StackReport[];
}

/** The comment's content, decided once; Markdown is one rendering of it. */
export function buildReview(input: ReviewInput): ReviewReport {
  const byFile = new Map(input.migrations.added.map((m) => [m.file, m]));
  const statements = input.migrations.added.flatMap((m) => m.statements.map((s) => s.sql));
  const seen = new Map<string, string>();
  const stacks = input.stacks.map((stack): StackReport => {
    const listed = stack.preview?.pendingMigrations ?? input.migrations.added.map((m) => m.file);
    const pending = listed.filter((f) => byFile.has(f)).map((f) => byFile.get(f)!);
    const files = new Set(pending.map((m) => m.file));
    const findings = input.lint.filter((f) => files.has(baseName(f.file)));
    const diff = pending.length > 0 ? input.schema.diff : { ...input.schema.diff, changes: [] };
    const key = JSON.stringify([[...files], stack.rowEstimates ?? {}]);
    const sameAs = seen.get(key) ?? null;
    if (!sameAs) seen.set(key, stack.name);
    return {
      name: stack.name,
      pending,
      notInPullRequest: listed.filter((f) => !byFile.has(f)),
      findings,
      schemaChanges: diff.changes.map(changeLine),
      risks: riskNotes({ diff, statements, rowEstimates: stack.rowEstimates }),
      tenantChanges: tenantChanges(stack.tenant.base, stack.tenant.head),
      preview: previewSummary(stack.preview),
      sameAs,
    };
  });
  return {
    marker: REVIEW_MARKER,
    pullRequest: input.pullRequest,
    edited: input.migrations.edited,
    removed: input.migrations.removed,
    stacks,
  };
}

/** How much detail a rendering keeps: the comment drops detail, in this order, until it fits. */
const DETAIL = [
  { statements: Infinity, er: true },
  { statements: 5, er: true },
  { statements: 5, er: false },
  { statements: 0, er: false },
] as const;

/** The Markdown comment, under {@link MAX_COMMENT_CHARS}, ending with a link to the full log. */
export function renderReviewMarkdown(report: ReviewReport, input: ReviewInput): string {
  for (const detail of DETAIL) {
    const text = renderAt(report, input, detail);
    if (text.length <= MAX_COMMENT_CHARS) return text;
  }
  const text = renderAt(report, input, DETAIL[DETAIL.length - 1]);
  const cut = text.slice(0, MAX_COMMENT_CHARS - 400);
  return `${cut.slice(0, cut.lastIndexOf("\n"))}\n\n… (cut to fit a comment)\n\n${footer(report)}`;
}

function renderAt(report: ReviewReport, input: ReviewInput, detail: (typeof DETAIL)[number]): string {
  const pr = report.pullRequest;
  const out = [
    REVIEW_MARKER,
    `## Database review of #${pr.number} (\`${pr.headSha.slice(0, 7)}\` against \`${pr.base}\`)`,
    "",
  ];
  out.push("| Stack | Migrations to apply | Schema changes | Lint | Risks | Default tenant | Pulumi preview |");
  out.push("|---|---|---|---|---|---|---|");
  for (const s of report.stacks) {
    out.push(
      `| ${s.name} | ${s.pending.length === 0 ? "none" : s.pending.map((m) => `\`${m.file}\``).join("<br>")} | ${s.schemaChanges.length} | ${lintCount(s.findings)} | ${riskCount(s.risks)} | ${s.tenantChanges.length === 0 ? "unchanged" : `${s.tenantChanges.length} change(s)`} | ${cell(s.preview)} |`,
    );
  }
  if (report.edited.length > 0)
    out.push(
      "",
      `> [!CAUTION]\n> Edited applied migrations (\`up\` refuses them): ${report.edited.map((f) => `\`${f}\``).join(", ")}`,
    );
  if (report.removed.length > 0)
    out.push("", `> [!CAUTION]\n> Removed migrations: ${report.removed.map((f) => `\`${f}\``).join(", ")}`);
  for (const s of report.stacks) {
    out.push("", `### ${s.name}`, "");
    if (s.notInPullRequest.length > 0)
      out.push(
        `Also pending on ${s.name}, from before this pull request: ${s.notInPullRequest.map((f) => `\`${f}\``).join(", ")}.`,
        "",
      );
    if (s.sameAs) {
      out.push(`Migrations, lint, schema change and risks: the same as **${s.sameAs}**.`, "");
    } else {
      out.push(
        ...migrationsSection(s, detail.statements),
        ...lintSection(s),
        ...schemaSection(s, input, detail.er),
        ...riskSection(s),
      );
    }
    if (s.tenantChanges.length === 0) out.push("**Default tenant:** unchanged.");
    else
      out.push(
        "**Default tenant** (the seed step applies it after the migrations):",
        "",
        ...s.tenantChanges.map((c) => `- ${c}`),
      );
    out.push("", `**Pulumi preview:** ${s.preview}`);
  }
  out.push("", footer(report));
  return out.join("\n") + "\n";
}

function migrationsSection(s: StackReport, maxStatements: number): string[] {
  if (s.pending.length === 0) return ["**Migrations:** nothing to apply.", ""];
  const out = ["**Migrations to apply:**", ""];
  for (const m of s.pending) {
    out.push(`- \`${m.file}\`: ${m.statements.length} statement${m.statements.length === 1 ? "" : "s"}`);
    for (const st of m.statements.slice(0, maxStatements))
      out.push(`  - line ${st.line}: \`${code(summarise(st.sql))}\``);
    if (m.statements.length > maxStatements && maxStatements > 0)
      out.push(`  - … ${m.statements.length - maxStatements} more (full log)`);
  }
  return [...out, ""];
}

function lintSection(s: StackReport): string[] {
  if (s.findings.length === 0) return ["**Lint:** no finding.", ""];
  const out = ["**Lint:**", ""];
  for (const f of s.findings) {
    const mark = f.waived ? "waived" : f.severity;
    out.push(
      `- ${mark} \`${baseName(f.file)}:${f.line}:${f.column}\` ${f.rule}: ${f.message}${f.waived ? ` (waived: ${f.waived.reason})` : ` Fix: ${f.fix}`}`,
    );
  }
  return [...out, ""];
}

function schemaSection(s: StackReport, input: ReviewInput, er: boolean): string[] {
  if (s.schemaChanges.length === 0) return ["**Schema change:** none.", ""];
  const markdown = renderDiffMarkdown(input.schema.diff, input.schema.head, { maxTables: er ? undefined : 0 });
  return ["**Schema change:**", "", markdown, ""];
}

function riskSection(s: StackReport): string[] {
  if (s.risks.length === 0) return ["**Risks:** none found.", ""];
  return ["**Risks:**", "", ...s.risks.map((r) => `- **${r.level}** ${r.object}: ${r.note}`), ""];
}

function footer(report: ReviewReport): string {
  const log = report.pullRequest.logUrl;
  return `<sub>Updated for \`${report.pullRequest.headSha.slice(0, 7)}\`${log ? ` · [full log](${log})` : ""} · built by \`scripts/review-comment.ts\`</sub>`;
}

/** `~ 1 to update, 2 unchanged` and the diagnostics, from the preview's JSON. */
export function previewSummary(preview: StackInput["preview"]): string {
  if (!preview) return "did not run.";
  const ops: [string, string][] = [
    ["create", "+ {} to create"],
    ["update", "~ {} to update"],
    ["replace", "+- {} to replace"],
    ["delete", "- {} to delete"],
    ["same", "{} unchanged"],
  ];
  const parts = ops
    .filter(([op]) => (preview.changeSummary[op] ?? 0) > 0)
    .map(([op, t]) => t.replace("{}", String(preview.changeSummary[op])));
  const problems = preview.diagnostics.length > 0 ? ` Diagnostics: ${preview.diagnostics.join(" / ")}` : "";
  return `${parts.join(", ") || "no change"}.${problems}`;
}

const TENANT_LABELS: Record<string, string> = {
  "defaultCustomer.name": "customer name",
  "defaultCustomer.slug": "customer slug",
  "defaultSite.name": "site name",
  "defaultSite.slug": "site slug",
  "defaultSite.hostname": "site hostname",
};

function tenantChanges(base: Record<string, string>, head: Record<string, string>): string[] {
  return Object.keys(TENANT_LABELS)
    .filter((k) => (base[k] ?? null) !== (head[k] ?? null))
    .map((k) => `${TENANT_LABELS[k]}: ${show(base[k])} → ${show(head[k])}`);
}

const show = (v: string | undefined) => (v === undefined ? "(none)" : `\`${v}\``);
const baseName = (file: string) => file.split("/").pop() ?? file;
const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
const code = (text: string) => text.replace(/`/g, "'");

/** One line of at most 120 characters. */
function summarise(sql: string): string {
  const line = sql.replace(/\s+/g, " ").trim();
  return line.length > 120 ? `${line.slice(0, 117)}...` : line;
}

function lintCount(findings: Finding[]): string {
  const errors = findings.filter((f) => f.severity === "error" && !f.waived).length;
  const warnings = findings.filter((f) => f.severity === "warning" && !f.waived).length;
  const waived = findings.filter((f) => f.waived).length;
  const parts = [
    errors ? `${errors} error(s)` : "",
    warnings ? `${warnings} warning(s)` : "",
    waived ? `${waived} waived` : "",
  ];
  return parts.filter(Boolean).join(", ") || "clean";
}

function riskCount(risks: RiskNote[]): string {
  const levels = (["high", "medium", "info"] as const).map(
    (l) => [l, risks.filter((r) => r.level === l).length] as const,
  );
  return (
    levels
      .filter(([, n]) => n > 0)
      .map(([l, n]) => `${n} ${l}`)
      .join(", ") || "none"
  );
}
