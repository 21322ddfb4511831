/**
 * Config keys the program does not read are mistakes, not options: a field set without `--path`
 * (`agoat-database:defaultSite.slug` as a flat key) or a misspelt key would otherwise be ignored
 * silently and the stack deployed with defaults. Checked before anything else, one line each.
 */
import * as pulumi from "@pulumi/pulumi";
import { CONFIG_KEYS } from "./config";

/** The keys `loadConfig` reads (derived from its schema, so the two cannot drift). */
export const KNOWN_CONFIG_KEYS = CONFIG_KEYS;

/** Problems with the keys of `config` (all of the stack's config, `ns:key` form) under `namespace`. */
export function unknownConfigKeys(config: Record<string, string>, namespace: string): string[] {
  const known = new Set(KNOWN_CONFIG_KEYS);
  const problems: string[] = [];
  for (const fullKey of Object.keys(config).sort()) {
    if (!fullKey.startsWith(`${namespace}:`)) continue;
    const key = fullKey.slice(namespace.length + 1);
    if (known.has(key)) continue;
    const [head, ...rest] = key.split(".");
    if (rest.length > 0 && known.has(head)) {
      problems.push(
        `${fullKey} is a flat key, not the field '${rest.join(".")}' of ${namespace}:${head}: ` +
          `run \`pulumi config rm '${fullKey}'\` then \`pulumi config set --path '${fullKey}' VALUE\``,
      );
    } else {
      problems.push(`${fullKey} is not a config key of this program (it reads ${KNOWN_CONFIG_KEYS.join(", ")})`);
    }
  }
  return problems;
}

/** Throws one RunError line per unknown key of the running stack's namespace. */
export function assertKnownConfigKeys(namespace: string): void {
  const problems = unknownConfigKeys(pulumi.runtime.allConfig(), namespace);
  if (problems.length > 0) throw new pulumi.RunError(problems.join("\n"));
}
