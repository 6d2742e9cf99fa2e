// Writes deploy/gitops/values/<env>.yaml, the values Argo CD and Flux give charts/fisco-bcos, from a Pulumi stack:
//   npx tsx scripts/lib/gitops-values.ts <env>             `pulumi stack output -s <env> chartValues --json` (real stack)
//   npx tsx scripts/lib/gitops-values.ts <env> --offline   the offline engine on stacks/Pulumi.<env>.yaml (example only:
//                                                           a throwaway identity, so configChecksum matches no real chain)
// chartValues holds names, sizes and digests only; no key material.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { dump } from "js-yaml";
import { runProgramOffline } from "../../offline/mocks/run-program";
import { readStackConfig } from "../../offline/synth/stack-file";

export const VALUES_DIR = join(__dirname, "..", "..", "deploy", "gitops", "values");

export function valuesFile(env: string): string {
  return join(VALUES_DIR, `${env}.yaml`);
}

export function header(env: string, offline: boolean): string {
  const source = offline
    ? `# EXAMPLE rendered offline from stacks/Pulumi.${env}.yaml (npx tsx scripts/lib/gitops-values.ts ${env} --offline):\n` +
      `# the Secret and ConfigMap names are the stack's, but configChecksum comes from a throwaway identity. Replace this\n` +
      `# file with your stack's values before pointing Argo CD or Flux at it:\n`
    : `# The chart values of Pulumi stack ${env}, written by:\n`;
  return (
    source +
    `#   npx tsx scripts/lib/gitops-values.ts ${env}\n` +
    `# (or: pulumi stack output -s ${env} chartValues --json > deploy/gitops/values/${env}.yaml)\n` +
    `# Commit it after every \`pulumi up -s ${env}\` that changes it (a changed config.ini changes configChecksum).\n`
  );
}

/** A stack's chartValues output: from the Pulumi CLI, or from the offline engine on stacks/Pulumi.<env>.yaml (a throwaway identity). */
export async function chartValuesOf(env: string, offline: boolean): Promise<unknown> {
  if (!offline) {
    const json = execFileSync("pulumi", ["stack", "output", "-s", env, "chartValues", "--json"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    });
    return JSON.parse(json);
  }
  const run = await runProgramOffline({ stack: env, config: readStackConfig(env) });
  return run.outputs.chartValues;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { offline: { type: "boolean", default: false }, out: { type: "string" } },
  });
  const env = positionals[0];
  if (!env || positionals.length > 1) {
    process.stderr.write("usage: npx tsx scripts/lib/gitops-values.ts <env> [--offline] [--out <file>]\n");
    return 2;
  }
  const offline = Boolean(values.offline);
  const out = values.out ?? valuesFile(env);
  const chartValues = await chartValuesOf(env, offline);
  if (!chartValues || typeof chartValues !== "object" || !("nodes" in chartValues)) {
    process.stderr.write(`stack ${env}: chartValues is missing or not the chart's values\n`);
    return 1;
  }
  writeFileSync(out, header(env, offline) + dump(chartValues, { lineWidth: -1, noRefs: true, sortKeys: false }));
  process.stdout.write(`wrote ${out}\n`);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`gitops-values: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
