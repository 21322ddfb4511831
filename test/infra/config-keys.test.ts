/** Unknown keys of the program's namespace are named, one line each; other namespaces are not ours. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { KNOWN_CONFIG_KEYS, unknownConfigKeys } from "../../infra/config-keys";
import { CONFIG_NAMESPACE } from "../../infra/config";

describe("config keys", () => {
  it("accepts every key the program reads, and keys of other namespaces", () => {
    const config = Object.fromEntries(KNOWN_CONFIG_KEYS.map((k) => [`${CONFIG_NAMESPACE}:${k}`, "x"]));
    assert.deepEqual(unknownConfigKeys({ ...config, "gcp:project": "p", "aws:region": "r" }, CONFIG_NAMESPACE), []);
  });

  it("names a flat field key with the --path fix, and a misspelt key with the keys it reads", () => {
    const problems = unknownConfigKeys(
      { "agoat-database:defaultSite.slug": "main", "agoat-database:teardwon": "drop" },
      CONFIG_NAMESPACE,
    );
    assert.equal(problems.length, 2);
    assert.match(
      problems[0],
      /^agoat-database:defaultSite\.slug is a flat key, not the field 'slug' of agoat-database:defaultSite: run `pulumi config rm 'agoat-database:defaultSite\.slug'` then `pulumi config set --path 'agoat-database:defaultSite\.slug' VALUE`$/,
    );
    assert.match(
      problems[1],
      /^agoat-database:teardwon is not a config key of this program \(it reads databaseUrl, caCert, /,
    );
  });
});
