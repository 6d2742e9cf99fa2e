import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { dump } from "js-yaml";
import { pulumiConfigFromStackFile } from "../chain/stack-config";
import { runProgramOffline } from "../offline/mocks/run-program";

/** Writes charts/fisco-bcos/examples/values-example.yaml: `pulumi stack output chartValues` of a default 4-node chain. */
export const EXAMPLE = join(__dirname, "..", "charts", "fisco-bcos", "examples", "values-example.yaml");
export const HEADER = `# What \`pulumi stack output chartValues\` gives for the default 4-node chain (4 sealers of weight 1).
# The Secrets and ConfigMaps named here are created by the Pulumi component, not by this chart.
# configChecksum is the digest of one example run's config.ini and config.genesis.
# Regenerate with: npx tsx scripts/chart-example-values.ts
`;

async function main() {
  const run = await runProgramOffline({ stack: "example", config: pulumiConfigFromStackFile({}) });
  writeFileSync(EXAMPLE, HEADER + dump(run.outputs.chartValues, { lineWidth: -1, noRefs: true }));
  console.log(`wrote ${EXAMPLE}`);
}

if (require.main === module) void main();
