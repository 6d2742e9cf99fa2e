import { bundleScriptText } from "../verify/bundle";

/** The bench CLI and its signing worker as two files for the chart's bench Job (ConfigMap keys). */
export function bundleBenchFiles(): Record<string, string> {
  return { "bench.js": bundleScriptText("scripts/bench.ts", "bench.js"), "sign-worker.js": bundleScriptText("bench/sign-worker.ts", "sign-worker.js") };
}
