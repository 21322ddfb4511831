/** A lint report for people (text), scripts (JSON), pull requests (Markdown) and GitHub annotations. */
import { placeOf, type Finding, type LintReport } from "./finding";

/** The output formats of `dbmigrate lint`. */
export const LINT_FORMATS = ["text", "json", "markdown", "github"] as const;
export type LintFormat = (typeof LINT_FORMATS)[number];

/** The report rendered in `format`, without a final newline. */
export function renderReport(report: LintReport, format: LintFormat): string {
  switch (format) {
    case "json":
      return JSON.stringify(report, null, 2);
    case "markdown":
      return markdown(report);
    case "github":
      return [...report.findings.filter((f) => !f.waived).map(annotation), summary(report)].join("\n");
    default:
      return [...report.findings.map(textLine), ...report.notes.map((n) => `note: ${n}`), summary(report)].join("\n");
  }
}

/** `file:line:col: error rule: message. Fix: ...`, or the waiver and its reason. */
export function textLine(finding: Finding): string {
  if (finding.waived)
    return `${placeOf(finding)}: waived ${finding.rule} (${finding.waived.reason}): ${finding.message}`;
  return `${placeOf(finding)}: ${finding.severity} ${finding.rule}: ${sentence(finding.message)}. Fix: ${finding.fix}`;
}

/** The last line: counts. */
export function summary(report: LintReport): string {
  return `lint: ${report.errors} error(s), ${report.warnings} warning(s), ${report.waived} waived in ${report.files.length} file(s)`;
}

function annotation(finding: Finding): string {
  const escape = (text: string) => text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
  // GitHub's workflow commands are error, warning and notice.
  const level = finding.severity === "info" ? "notice" : finding.severity;
  return `::${level} file=${finding.file},line=${finding.line},col=${finding.column},title=${finding.rule}::${escape(`${sentence(finding.message)}. Fix: ${finding.fix}`)}`;
}

function markdown(report: LintReport): string {
  const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
  const lines = ["### dbmigrate lint", "", summary(report), ""];
  if (report.findings.length > 0) {
    lines.push("| where | rule | severity | finding | fix or waiver |", "| --- | --- | --- | --- | --- |");
    for (const f of report.findings) {
      const severity = f.waived ? "waived" : f.severity;
      const last = f.waived ? `waived: ${f.waived.reason}` : f.fix;
      lines.push(`| \`${placeOf(f)}\` | \`${f.rule}\` | ${severity} | ${cell(f.message)} | ${cell(last)} |`);
    }
  }
  for (const note of report.notes) lines.push("", `Note: ${note}`);
  return lines.join("\n");
}

/** A message without its final period, so that ". Fix:" can follow it (squawk ends its own with one). */
function sentence(message: string): string {
  return message.replace(/\.+$/, "");
}
