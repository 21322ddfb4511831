/** A committed stack file (`Pulumi.<stack>.yaml`) read as the flat config the program sees. */
import { readFileSync } from "node:fs";
import * as yaml from "js-yaml";

/** `Pulumi.<stack>.yaml`'s config as `key: string` pairs (objects and lists as JSON), with `extra` on top. */
export function readStackFile(stack: string, extra: Record<string, string> = {}, dir = "."): Record<string, string> {
  const file = yaml.load(readFileSync(`${dir}/Pulumi.${stack}.yaml`, "utf8")) as { config?: Record<string, unknown> };
  const flat: Record<string, string> = {};
  for (const [key, value] of Object.entries(file.config ?? {})) {
    flat[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return { ...flat, ...extra };
}
