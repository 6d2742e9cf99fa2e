import { bundleScriptText } from "../verify/bundle";

/** The bench CLI and its signing worker as two files for the chart's bench Job (ConfigMap keys). */
export async function bundleBenchFiles(): Promise<Record<string, string>> {
  const [bench, worker] = await Promise.all([bundleScriptText("scripts/bench.ts", "bench.js"), bundleScriptText("bench/sign-worker.ts", "sign-worker.js")]);
  return { "bench.js": bench, "sign-worker.js": worker };
}
