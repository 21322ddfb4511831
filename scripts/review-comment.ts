/**
 * The pull-request review comment (.github/workflows/preview.yml):
 *
 *   node --import tsx scripts/review-comment.ts collect --base origin/main --pr 42 --sha abc123 \
 *        --log-url URL --preview dev=preview-dev.json --preview prod=preview-prod.json --output review.json
 *   node --import tsx scripts/review-comment.ts render --input review.json [--format markdown|json] [--output FILE]
 *
 * `collect` reads everything the comment needs and writes it as one JSON document (the recorded
 * input the golden tests use): the migrations the pull request adds (statements parsed), their
 * lint findings, the schema change (base and head applied to throwaway PostgreSQL databases), each
 * stack's default tenant at the base and the head, and each stack's `pulumi preview --json`.
 * `render` turns it into the comment (scripts/review-report.ts); it reads no database and no git.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import * as yaml from "js-yaml";
import {
  createOutput,
  DEFAULT_MIGRATIONS_DIR,
  guardStreams,
  lintFiles,
  parseSql,
  processSinks,
  schemaChange,
  UsageError,
  type SchemaDiff,
  type SchemaSnapshot,
} from "../dbmigrate";
import { buildReview, renderReviewMarkdown, type ReviewInput, type StackInput } from "./review-report";
import { CONFIG_NAMESPACE } from "../infra/config";

/** The stacks a pull request is reviewed against. */
export const DEFAULT_STACKS = ["dev", "staging", "prod"];
/** The program's config namespace. */
const NS = CONFIG_NAMESPACE;
/** The DatabaseSchema resource's type token in a preview's steps. */
const SCHEMA_TYPE = "pulumi-nodejs:dynamic/agoat:DatabaseSchema";

const output = createOutput("review-comment", processSinks);
guardStreams(output.redactor, [process.stderr]);

const OPTIONS = {
  base: { type: "string" },
  "migrations-dir": { type: "string" },
  stacks: { type: "string" },
  preview: { type: "string", multiple: true },
  "row-estimates": { type: "string" },
  pr: { type: "string" },
  sha: { type: "string" },
  "log-url": { type: "string" },
  input: { type: "string" },
  format: { type: "string" },
  output: { type: "string" },
} as const;

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true });
  const [command] = positionals;
  if (command === "collect") {
    const input = await collect(values);
    write(values.output, `${JSON.stringify(input, null, 2)}\n`);
  } else if (command === "render") {
    if (!values.input) throw new UsageError("render needs --input FILE (what `collect` wrote)");
    const input = JSON.parse(readFileSync(values.input, "utf8")) as ReviewInput;
    const report = buildReview(input);
    const format = values.format ?? "markdown";
    if (format === "json") write(values.output, `${JSON.stringify(report, null, 2)}\n`);
    else if (format === "markdown") write(values.output, renderReviewMarkdown(report, input));
    else throw new UsageError(`--format must be markdown or json (got '${format}')`);
  } else {
    throw new UsageError("usage: review-comment.ts collect|render [options] (see the file's header)");
  }
}

function write(file: string | undefined, text: string): void {
  if (file) writeFileSync(file, text);
  else process.stdout.write(text);
}

/** Reads the repository, the throwaway databases and the previews into one {@link ReviewInput}. */
export async function collect(values: {
  base?: string;
  "migrations-dir"?: string;
  stacks?: string;
  preview?: string[];
  "row-estimates"?: string;
  pr?: string;
  sha?: string;
  "log-url"?: string;
}): Promise<ReviewInput> {
  if (!values.base) throw new UsageError("collect needs --base REF (the pull request's base commit or branch)");
  const dir = values["migrations-dir"] ?? DEFAULT_MIGRATIONS_DIR;
  const change = await schemaChange({ from: values.base, to: dir, logger: output.logger });
  const added = await Promise.all(
    change.files.added.map(async (m) => ({
      file: m.file,
      statements: (await parseSql(readFileSync(path.join(dir, m.file), "utf8"), m.file)).statements.map((s) => ({
        line: s.line,
        sql: s.sql,
      })),
    })),
  );
  const lint = await lintFiles(change.files.added.map((m) => path.join(dir, m.file)));
  const previews = new Map(
    (values.preview ?? []).map((p) => {
      const [stack, file] = p.split("=", 2);
      if (!file) throw new UsageError(`--preview takes STACK=FILE (got '${p}')`);
      return [stack, file];
    }),
  );
  const rows = values["row-estimates"]
    ? (JSON.parse(readFileSync(values["row-estimates"], "utf8")) as Record<string, Record<string, number>>)
    : {};
  const stacks = (values.stacks ? values.stacks.split(",") : DEFAULT_STACKS).map((name): StackInput => ({
    name,
    tenant: { base: tenantAt(name, values.base!), head: tenantAt(name, null) },
    ...(previews.has(name) ? { preview: readPreview(previews.get(name)!) } : {}),
    ...(rows[name] ? { rowEstimates: rows[name] } : {}),
  }));
  return {
    pullRequest: {
      number: Number(values.pr ?? 0),
      headSha: values.sha ?? gitOut(["rev-parse", "HEAD"]),
      base: values.base,
      ...(values["log-url"] ? { logUrl: values["log-url"] } : {}),
    },
    migrations: { added, edited: change.files.edited, removed: change.files.removed },
    lint: lint.findings,
    // The head's tables the change touches are all the ER fragment needs.
    schema: { diff: change.diff, head: changedTablesOnly(change.head, change.diff) },
    stacks,
  };
}

/** The default tenant's keys of `Pulumi.<stack>.yaml` at `ref` (null: the working tree). */
function tenantAt(stack: string, ref: string | null): Record<string, string> {
  const file = `Pulumi.${stack}.yaml`;
  let text: string;
  try {
    text = ref === null ? (existsSync(file) ? readFileSync(file, "utf8") : "") : gitOut(["show", `${ref}:./${file}`]);
  } catch {
    return {};
  }
  const config = ((yaml.load(text) as { config?: Record<string, unknown> } | undefined)?.config ?? {}) as Record<
    string,
    unknown
  >;
  const flat: Record<string, string> = {};
  for (const part of ["defaultCustomer", "defaultSite"]) {
    const value = config[`${NS}:${part}`];
    if (value && typeof value === "object")
      for (const [k, v] of Object.entries(value)) flat[`${part}.${k}`] = String(v);
  }
  return flat;
}

/** The parts of `pulumi preview --json` the comment shows. */
function readPreview(file: string): NonNullable<StackInput["preview"]> {
  if (!existsSync(file))
    return { changeSummary: {}, pendingMigrations: null, diagnostics: [`no preview output (${file})`] };
  const digest = JSON.parse(readFileSync(file, "utf8")) as {
    changeSummary?: Record<string, number>;
    steps?: { newState?: { type?: string; inputs?: { pendingMigrations?: string[] } } }[];
    diagnostics?: { severity?: string; message?: string }[];
  };
  const schema = (digest.steps ?? []).find((s) => s.newState?.type === SCHEMA_TYPE);
  return {
    changeSummary: digest.changeSummary ?? {},
    pendingMigrations: schema ? (schema.newState?.inputs?.pendingMigrations ?? []) : null,
    diagnostics: (digest.diagnostics ?? [])
      .filter((d) => d.severity === "error" || d.severity === "warning")
      .map(
        (d) =>
          `${d.severity}: ${
            String(d.message ?? "")
              .trim()
              .split("\n")[0]
          }`,
      ),
  };
}

function changedTablesOnly(head: SchemaSnapshot, diff: SchemaDiff): SchemaSnapshot {
  const changed = new Set(diff.changes.map((c) => c.table));
  return { ...head, tables: head.tables.filter((t) => changed.has(t.name)), functions: [], views: [] };
}

function gitOut(args: string[]): string {
  return execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => process.exit(output.fail(error)));
}
