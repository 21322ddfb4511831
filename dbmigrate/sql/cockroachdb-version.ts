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
  return [Number(m[1]), Number(m[2])];
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
