/** The executor for each mode: one transaction per migration, or statement by statement. */
import type { Engine } from "../dialect";
import type { Statement } from "../sql/parse";
import { executionMode, type ModeDecision } from "./execution-mode";
import { statementsExecutor } from "./statements";
import { transactionExecutor } from "./transaction";
import type { MigrationExecutor } from "./types";

/** The executor that runs `statements` on `engine`, and why (see execution-mode.ts). */
export function executorFor(
  engine: Engine,
  statements: readonly Statement[],
): { executor: MigrationExecutor; decision: ModeDecision } {
  const decision = executionMode(engine, statements);
  return { executor: decision.mode === "transaction" ? transactionExecutor : statementsExecutor, decision };
}
