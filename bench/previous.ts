/**
 * The figures each ratio had before, for the side-by-side summary of `npm run bench`, and the
 * target issue 20 sets. `quiet`: the previous session's last run on a quiet machine; `docs`: docs/performance.md as of 2026-11-26 (a loaded machine); `issue`:
 * issue 20's own measurement on a quiet machine. A ratio with no earlier figure has none here.
 */
export interface Previous {
  /** The ratio issue 20 asks for (at or under). */
  target?: number;
  /** The last session's closing figures, a fresh clone's `bench --quick` on a quiet machine (load 0.9). */
  quiet?: number;
  docs?: number;
  issue?: number;
}

export const PREVIOUS: Record<string, Previous> = {
  "fresh-apply-vs-npgm": { target: 1.1, quiet: 2.32, docs: 1.77, issue: 2.88 },
  "fresh-apply-vs-one-query": { docs: 1.8 },
  "fresh-apply-bare-vs-npgm": {},
  "npgm-vs-one-query": { docs: 1.02, issue: 1.08 },
  "noop-up-p50": { target: 1.3, quiet: 3.85, docs: 4.46, issue: 4.72 },
  "noop-up-p95": { docs: 3.97 },
  "noop-up-vs-its-reads": {},
  "noop-up-vs-npgm": {},
  "noop-reads-vs-select-1": {},
  "provider-diff": { docs: 1.57 },
  "status-process": { target: 2.0, quiet: 2.46, issue: 6.41 },
  "pulumi-preview-vs-empty": { docs: 2.59, issue: 3.1 },
  "pulumi-preview-vs-dynamic": { target: 1.1, quiet: 1.09, docs: 1.31, issue: 1.35 },
  "pulumi-noop-up-vs-empty": { docs: 2.93, issue: 3.32 },
  "pulumi-first-up-vs-dbmigrate": { docs: 8.67, issue: 10.5 },
  "pulumi-first-up-vs-floor": { target: 1.3, quiet: 1.24 },
};
