/** The provider's `Diff` through the real dynamic-provider host, against `GetPluginInfo` through the same host. */
import { DATABASE_SCHEMA_TYPE } from "../infra/database-schema";
import { startProviderHost } from "../test/support/provider-host";
import { only, runProgram } from "../test/support/pulumi-program";
import type { BenchContext } from "./bench";
import { percentile, time } from "./report";

export async function providerDiff({ samples, report }: BenchContext): Promise<void> {
  const { resources } = await runProgram("local", {
    "agoat-database:databaseUrl": "postgresql://u:p@localhost:5432/agoat",
  });
  const inputs = only(resources, DATABASE_SCHEMA_TYPE).inputs;
  const olds = { ...inputs, appliedMigrations: inputs.__migrations, drift: [] };
  const host = await startProviderHost(process.cwd());
  try {
    await host.diff("id", olds, inputs); // loads the implementation once, as the first real call would
    const floor: number[] = [];
    const ours: number[] = [];
    for (let k = 0; k < samples; k++) {
      floor.push(await time(() => host.pluginInfo()));
      ours.push(await time(() => host.diff("id", olds, inputs)));
    }
    report(
      "provider diff via host (p50)",
      percentile(ours, 50),
      "GetPluginInfo via host",
      percentile(floor, 50),
      "provider-diff",
    );
  } finally {
    await host.stop();
  }
}
