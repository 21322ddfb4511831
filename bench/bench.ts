/** What every bench gets, and the shape of an entry of bench/run.ts's table. */
import type { TestPostgres } from "../test/support/postgres";
import type { Note, Report } from "./report";

/** The run's shared state: one server, the repetition counts, the two ways to record a figure. */
export interface BenchContext {
  /** One embedded PostgreSQL for the whole run; `createDatabase()` gives a fresh database. */
  pg: TestPostgres;
  /** `--quick`: a smoke run (CI). Every bench shrinks its work under it. */
  quick: boolean;
  /** Repetitions of a whole-database or whole-process measurement (medians). */
  runs: number;
  /** Repetitions of a short measurement (p50/p95). */
  samples: number;
  report: Report;
  note: Note;
}

/** One entry of the table: `--only SECTION` runs the entries of that section. */
export interface Bench {
  section: string;
  /** What it measures, for `--list`. */
  about: string;
  run(context: BenchContext): Promise<void>;
}
