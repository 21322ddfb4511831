/**
 * CockroachDB's own parser (`github.com/cockroachdb/cockroachdb-parser`), run as the helper in
 * tools/crdb-parser: one process per grammar per lint run, every file in one JSON request on
 * stdin, every statement's verdict in one JSON response on stdout (docs/adrs/0013). The helper is
 * built and cached by `.ci/ensure-crdb-parser.sh`; this module finds it by the same key.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { COCKROACHDB_GRAMMARS, type CockroachdbVersion } from "./cockroachdb-version";

export { COCKROACHDB_GRAMMARS };

/** The helper's source files, in the order the cache key hashes them (as the ensure script does). */
const HELPER_FILES = ["main.go", "plpgsql.go", "go.mod", "go.sum", "go.23.2.mod", "go.23.2.sum"];

/** One statement's verdict from CockroachDB's parser. Offsets are JavaScript string indexes. */
export interface CockroachdbVerdict {
  start: number;
  end: number;
  accepted: boolean;
  /** CockroachDB's statement tag, e.g. `CREATE INDEX`, when accepted. */
  tag?: string;
  /** CockroachDB's message, when rejected, e.g. `at or near "storage": syntax error`. */
  message?: string;
  /** SQLSTATE: 42601 syntax error, 0A000 not supported, XX000 the parser crashed. */
  code?: string;
  hint?: string;
  /** CockroachDB's tracking issue for an unimplemented feature, when it names one. */
  issue?: string;
  detail?: string;
  /** Where the parser stopped (1-based line and column, in characters). */
  line?: number;
  column?: number;
  /** The parser panicked on this statement (recovered by the helper). */
  crashed?: boolean;
}

/** One grammar's verdicts on every file. */
export interface GrammarVerdicts {
  grammar: CockroachdbVersion;
  /** `github.com/cockroachdb/cockroachdb-parser v0.25.2`. */
  module: string;
  /** Verdicts per file, in statement order, keyed by the path given. */
  files: Map<string, CockroachdbVerdict[]>;
}

/** A file for the parser: the name it is reported under and its (normalised) text. */
export interface ParserInput {
  path: string;
  sql: string;
}

/** The cache folder of the helper built from the sources in `toolsDir` (see the ensure script). */
export function cockroachdbParserCacheDir(toolsDir = findToolsDir(), env: NodeJS.ProcessEnv = process.env): string {
  const hash = createHash("sha256");
  for (const file of HELPER_FILES) hash.update(readFileSync(path.join(toolsDir, file)));
  const cache =
    env.AGOAT_TOOLS_CACHE ??
    path.join(env.XDG_CACHE_HOME ?? path.join(env.HOME ?? os.homedir() ?? "/tmp", ".cache"), "agoat-database");
  return path.join(cache, `crdb-parser-${hash.digest("hex").slice(0, 16)}`);
}

/**
 * The helper binary for `grammar`, or a one-line reason it is missing. `$AGOAT_CRDB_PARSER_DIR`
 * (exported by the ensure script) wins over the cache folder derived from tools/crdb-parser.
 */
export function cockroachdbParserBinary(
  grammar: CockroachdbVersion,
  env: NodeJS.ProcessEnv = process.env,
): { binary: string } | { missing: string } {
  let dir = env.AGOAT_CRDB_PARSER_DIR;
  if (!dir) {
    try {
      dir = cockroachdbParserCacheDir(findToolsDir(), env);
    } catch {
      return { missing: "tools/crdb-parser is not in this checkout" };
    }
  }
  const binary = path.join(dir, `crdb-parser-${grammar[0]}.${grammar[1]}`);
  return existsSync(binary)
    ? { binary }
    : { missing: `the CockroachDB parser helper is not built (${binary} is missing)` };
}

/** Runs one grammar's helper over `inputs`. Rejects with one line when the helper fails. */
export function runCockroachdbParser(
  binary: string,
  inputs: readonly ParserInput[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<GrammarVerdicts> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, [], { stdio: ["pipe", "pipe", "pipe"], env });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", (error) => reject(new Error(`cannot start ${binary}: ${error.message}`)));
    child.on("close", (code, signal) => {
      if (code !== 0) {
        const why = Buffer.concat(err).toString("utf8").trim().split("\n")[0] || `exit ${code ?? signal}`;
        reject(new Error(`${path.basename(binary)} failed: ${why}`));
        return;
      }
      try {
        const body = JSON.parse(Buffer.concat(out).toString("utf8")) as {
          grammar: string;
          module: string;
          files: { path: string; statements: CockroachdbVerdict[] | null }[];
        };
        const [major, minor] = body.grammar.split(".").map(Number);
        resolve({
          grammar: [major, minor],
          module: body.module,
          files: new Map(body.files.map((f) => [f.path, f.statements ?? []])),
        });
      } catch (error) {
        reject(new Error(`${path.basename(binary)} answered something that is not its JSON: ${String(error)}`));
      }
    });
    // A helper that exits early closes stdin: the error surfaces through "close" above.
    child.stdin.on("error", () => undefined);
    child.stdin.end(JSON.stringify({ files: inputs }));
  });
}

/** tools/crdb-parser of this checkout, found upwards from this file (source or built). */
function findToolsDir(): string {
  for (let dir = __dirname, k = 0; k < 5; k++, dir = path.dirname(dir)) {
    const candidate = path.join(dir, "tools", "crdb-parser");
    if (existsSync(path.join(candidate, "go.mod"))) return candidate;
  }
  throw new Error("tools/crdb-parser not found");
}
