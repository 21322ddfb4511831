/**
 * CockroachDB versions as the lint reads them: the oldest version the project supports is
 * declared once ({@link OLDEST_COCKROACHDB_VERSION}; `dbmigrate lint --cockroachdb-version X.Y`
 * overrides it), and a migration that declares a feature (`-- dbmigrate:requires ...`) runs only
 * on clusters that have it, so it is checked against the version that brings the feature.
 */
import { UsageError } from "../errors";
import { COCKROACHDB_FEATURE_SINCE } from "../dialect";
import type { Feature } from "../migrations";

/** A CockroachDB release line, `[major, minor]` (`[23, 2]` is v23.2). */
export type CockroachdbVersion = readonly [number, number];

/**
 * The oldest CockroachDB the project supports: the first entry of the matrix of
 * .github/workflows/cockroachdb.yml (a test keeps the two equal).
 */
export const OLDEST_COCKROACHDB_VERSION: CockroachdbVersion = [23, 2];

/**
 * The grammars the helper is built for, oldest first: one binary per parser module version
 * (v0.23.2 = CockroachDB 23.2, v0.25.2 = 25.2). Keep in step with .ci/ensure-crdb-parser.sh.
 */
export const COCKROACHDB_GRAMMARS: readonly CockroachdbVersion[] = [
  [23, 2],
  [25, 2],
];

/** `"23.2"`. */
export function formatVersion(version: CockroachdbVersion): string {
  return `${version[0]}.${version[1]}`;
}

/** Reads `23.2` or `v23.2` (what `--cockroachdb-version` takes); anything else is a usage error. */
export function parseCockroachdbVersion(text: string, where = "--cockroachdb-version"): CockroachdbVersion {
  const m = /^v?(\d{2})\.(\d)$/.exec(text.trim());
  if (!m) {
    throw new UsageError(`${where} '${text}' is not a CockroachDB version`, {
      hint: "Give a release line such as 23.2, 24.3 or 25.2",
    });
  }
  const version: CockroachdbVersion = [Number(m[1]), Number(m[2])];
  // Outside the grammars we have, the lint would silently judge by another release's grammar.
  const newest = COCKROACHDB_GRAMMARS[COCKROACHDB_GRAMMARS.length - 1];
  if (compareVersions(version, OLDEST_COCKROACHDB_VERSION) < 0) {
    throw new UsageError(
      `${where} ${formatVersion(version)} is older than the oldest CockroachDB this project supports (${formatVersion(OLDEST_COCKROACHDB_VERSION)})`,
      { hint: `Give ${formatVersion(OLDEST_COCKROACHDB_VERSION)} or newer` },
    );
  }
  if (compareVersions(version, newest) > 0) {
    throw new UsageError(
      `${where} ${formatVersion(version)} is newer than the newest CockroachDB grammar here (${formatVersion(newest)})`,
      { hint: `Give ${formatVersion(newest)} or older: statements only a newer release accepts are then reported` },
    );
  }
  return version;
}

/** Negative when `a` is older than `b`, 0 when equal, positive when newer. */
export function compareVersions(a: CockroachdbVersion, b: CockroachdbVersion): number {
  return a[0] - b[0] || a[1] - b[1];
}

/** True when `have` is `since` or newer. */
export function hasVersion(have: CockroachdbVersion, since: CockroachdbVersion): boolean {
  return compareVersions(have, since) >= 0;
}

const REQUIRES = /^\s*--\s*dbmigrate:requires\s+(\S+)\s*$/gm;

/**
 * The oldest CockroachDB a file can meet: the declared version, raised to the version that brings
 * each feature the file declares (`-- dbmigrate:requires row_level_security` runs on 25.2+ only).
 */
export function versionForFile(text: string, declared: CockroachdbVersion): CockroachdbVersion {
  let version = declared;
  for (const m of text.matchAll(REQUIRES)) {
    const since = COCKROACHDB_FEATURE_SINCE[m[1] as Feature] as CockroachdbVersion | undefined;
    if (since && compareVersions(since, version) > 0) version = since;
  }
  return version;
}
