/**
 * The AGoat product on the engine: its steps (default tenant seed, audit rows) and its tables.
 * Hosts (the CLI, the Pulumi provider) register {@link agoatSteps} on the engine; the engine
 * itself imports nothing from here.
 */
export { agoatMigrator, agoatSteps, type AgoatMigrator, type AgoatSteps, type SeedStatus } from "./agoat-steps";
export {
  DEFAULT_SEED,
  seedProblems,
  validateSeed,
  describeSeedChange,
  type SeedParams,
  type SeedResult,
  type SeedChange,
  type DefaultTenant,
} from "./seed";
export { APPLICATION_TABLES, PRODUCT_TABLES } from "./tables";
