/**
 * The one table of dbmigrate's commands: name, arguments, one line of help, and how to load its
 * handler. A handler's module is imported only when its command runs, so `status` never loads
 * what `lint` needs (the SQL parser, squawk).
 *
 * Adding a command `x`: write commands/x.ts exporting `run(ctx: CommandContext)` (see
 * commands/context.ts for what it gets), add a row here, and add `x` to the settings groups it
 * takes in settings/catalog.ts (CONNECTS, LOCKS, ...) or give it its own flags there. Help, flag
 * checks and `--json` follow from the two tables.
 */
import type { CommandHandler } from "./context";

/** One command. */
export interface CommandSpec {
  /** Positional arguments, as the help shows them (`<version>`, `[files...]`). */
  readonly args: string;
  /** One line of help. */
  readonly summary: string;
  /** Imports the handler. */
  readonly load: () => Promise<CommandModule>;
}

/** A command module: its handler. */
interface CommandModule {
  run: CommandHandler;
}

// `require` inside the loader, not a top-level import: a command's module (and what it imports)
// is read only when that command runs. (A CommonJS require keeps tsx, tsc and esbuild agreeing.)
const load = (module: unknown) => Promise.resolve(module as CommandModule);

/** Every command by name: what the parser, the help and `--json` help are built from. */
export const COMMANDS = {
  status: {
    args: "",
    summary: "each migration's state, the server, the default tenant, who holds the lock",
    load: () => load(require("./status")),
  },
  up: {
    args: "",
    summary: "apply pending migrations, then seed the default tenant",
    load: () => load(require("./up")),
  },
  verify: {
    args: "",
    summary:
      "exit 1 when an applied migration changed, is missing or is dirty, or the live schema differs from the snapshot recorded after the last up (drift)",
    load: () => load(require("./verify")),
  },
  "apply-complete": {
    args: "",
    summary: "apply schema/complete-schema.sql to a fresh database (a baseline), then seed",
    load: () => load(require("./apply-complete")),
  },
  new: {
    args: "<name>",
    summary: "write the next-numbered migration file",
    load: () => load(require("./new")),
  },
  lint: {
    args: "[files...]",
    summary:
      "check migrations (default: all) for CockroachDB, destructive and locking problems, every statement also through CockroachDB's own grammar; exit 1 on errors",
    load: () => load(require("./lint")),
  },
  resolve: {
    args: "<version>",
    summary: "clear a dirty migration: --applied or --rolled-back",
    load: () => load(require("./resolve")),
  },
  "build-complete": {
    args: "",
    summary: "regenerate schema/complete-schema.sql from migrations/ (--check: exit 1 if stale)",
    load: () => load(require("./build-complete")),
  },
  diff: {
    args: "",
    summary:
      "the schema change from --from (a folder or a git ref) to --to, object by object: both applied to throwaway PostgreSQL databases",
    load: () => load(require("./diff")),
  },
  erd: {
    args: "",
    summary: "the schema's entity-relationship diagram (Mermaid) from the live catalog",
    load: () => load(require("./erd")),
  },
  unlock: {
    args: "",
    summary: "who holds the migration lock (host, pid, command, lease); --force breaks it",
    load: () => load(require("./unlock")),
  },
  teardown: {
    args: "",
    summary:
      "drop every object of the engine's schema (it must hold a history), under the lock; --dry-run lists, --force drops",
    load: () => load(require("./teardown")),
  },
} as const satisfies Record<string, CommandSpec>;

/** A command's name. */
export type CommandName = keyof typeof COMMANDS;

/** Whether `name` is a command. */
export function isCommand(name: string): name is CommandName {
  return Object.hasOwn(COMMANDS, name);
}
