/**
 * Which modules a child process loaded, seen from outside: the child runs with a small CommonJS
 * file preloaded (`NODE_OPTIONS=--require ...`) that writes the keys of `require.cache` when the
 * process exits. Works for the compiled CLI (dist/dbmigrate.cjs keeps packages outside the
 * bundle, so each is `require`d by its own path) as for the sources under tsx. Modules loaded
 * with `import()` do not show; the engine loads libpg-query with `require`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { tempDir } from "./temp";

/** The preloaded file: plain CommonJS, written at run time so that any Node runs it as it is. */
const PROBE = `"use strict";
process.on("exit", () => {
  require("node:fs").appendFileSync(process.env.MODULE_PROBE_OUT, JSON.stringify(Object.keys(require.cache)) + "\\n");
});
`;

/** A probe: the environment to give a child, and what the children given it loaded. */
export interface ModuleProbe {
  /** Add to the child's environment (replaces its NODE_OPTIONS). */
  env: { NODE_OPTIONS: string; MODULE_PROBE_OUT: string };
  /** Every module file the probed processes had loaded when they exited, since the last {@link reset}. */
  loaded(): string[];
  /** Forgets what earlier runs loaded. */
  reset(): void;
}

/** A new probe with its own output file. */
export function moduleProbe(): ModuleProbe {
  const dir = tempDir("agoat-module-probe-");
  const file = path.join(dir, "probe.cjs");
  const out = path.join(dir, "loaded.jsonl");
  writeFileSync(file, PROBE);
  writeFileSync(out, "");
  return {
    env: { NODE_OPTIONS: `--require ${JSON.stringify(file)}`, MODULE_PROBE_OUT: out },
    loaded: () => [
      ...new Set(
        readFileSync(out, "utf8")
          .split("\n")
          .filter((line) => line !== "")
          .flatMap((line) => JSON.parse(line) as string[]),
      ),
    ],
    reset: () => writeFileSync(out, ""),
  };
}

/**
 * The files of `libpg-query` (its JavaScript, which loads its WebAssembly) among `modules`. Its
 * package.json is left out: reading a version from it loads no parser.
 */
export function libpgQueryModules(modules: string[]): string[] {
  return modules.filter((f) => /[\\/]node_modules[\\/]libpg-query[\\/]/.test(f) && !f.endsWith("package.json"));
}
