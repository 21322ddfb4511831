/**
 * What a host checks before it runs anything (the Pulumi program's config, the provider's
 * `check`): the default tenant's parameters and their validator. Loads no engine, parser or
 * client, like dbmigrate/inputs.ts.
 */
export { DEFAULT_SEED, seedProblems, type SeedParams } from "./seed";
