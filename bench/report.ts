/**
 * How a bench records a figure: a measurement against a floor measured in the same run, as a
 * ratio, with the issue's target and the figures recorded before (bench/previous.ts) beside it.
 */
import { performance } from "node:perf_hooks";
import { PREVIOUS, type Previous } from "./previous";

/** One ratio. `key` ties it to its target and previous figures (bench/previous.ts). */
export interface Ratio {
  /** Stable id of the comparison, e.g. `noop-up-p50`; the key of {@link PREVIOUS}. */
  key?: string;
  name: string;
  ms: number;
  floor: string;
  floorMs: number;
}

/** Records one measurement against its floor (prints it and keeps it for the summary and --json). */
export type Report = (name: string, measured: number, floorName: string, floor: number, key?: string) => void;

/** A figure that is not a ratio (a breakdown line): printed and kept in the JSON. */
export type Note = (name: string, values: Record<string, number | string>) => void;

/** Every figure of one run. */
export class Results {
  readonly ratios: (Ratio & { ratio: number })[] = [];
  readonly notes: { name: string; values: Record<string, number | string> }[] = [];

  readonly report: Report = (name, measured, floorName, floor, key) => {
    const ratio = measured / floor;
    this.ratios.push({ key, name, ms: round(measured), floor: floorName, floorMs: round(floor), ratio: round(ratio) });
    console.log(
      `${name.padEnd(46)} ${fmt(measured)}  vs ${floorName.padEnd(40)} ${fmt(floor)}  ratio ${ratio.toFixed(2)}`,
    );
  };

  readonly note: Note = (name, values) => {
    this.notes.push({ name, values });
    const shown = Object.entries(values).map(([k, v]) => `${k} ${typeof v === "number" ? `${v.toFixed(1)} ms` : v}`);
    console.log(`${name.padEnd(46)} ${shown.join(", ")}`);
  };

  /**
   * Every keyed ratio of this run beside its target and the figures recorded before: the last
   * session's on a quiet machine, docs/performance.md's (the last full run) and the issue's.
   */
  summary(): string {
    const rows = this.ratios
      .filter((r): r is Ratio & { ratio: number; key: string } => r.key !== undefined)
      .map((r) => ({ ...r, before: PREVIOUS[r.key] as Previous | undefined }));
    if (rows.length === 0) return "";
    const cell = (n: number | undefined, suffix = "") => (n === undefined ? "-" : `${n.toFixed(2)}${suffix}`);
    const lines = [
      `${"ratio".padEnd(34)} ${"now".padStart(7)} ${"target".padStart(7)} ${"quiet".padStart(7)} ${"docs".padStart(7)} ${"issue".padStart(7)}  met`,
    ];
    for (const r of rows) {
      const target = r.before?.target;
      const met = target === undefined ? "" : r.ratio <= target ? "yes" : "no";
      lines.push(
        `${r.key.padEnd(34)} ${cell(r.ratio).padStart(7)} ${cell(target, "x").padStart(7)} ${cell(r.before?.quiet).padStart(7)} ${cell(r.before?.docs).padStart(7)} ${cell(r.before?.issue).padStart(7)}  ${met}`,
      );
    }
    return lines.join("\n");
  }
}

/** The `p`th percentile (nearest rank) of `values`. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** The median of `values`. */
export const median = (values: number[]): number => percentile(values, 50);

/** Wall time of `work`, ms. */
export async function time(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

/** Median wall time of `runs` calls of `work`, ms. */
export async function medianTime(runs: number, work: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let run = 0; run < runs; run++) times.push(await time(work));
  return median(times);
}

const round = (n: number) => Math.round(n * 100) / 100;
export const fmt = (ms: number): string => `${ms.toFixed(2).padStart(9)} ms`;
