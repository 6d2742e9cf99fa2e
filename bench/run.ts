import { runNative } from "./native-run";
import type { BenchHooks, BenchOptions } from "./options";
import type { BenchReport } from "./report";
import { runWeb3 } from "./web3-run";

export type { BenchHooks, BenchOptions } from "./options";
export type { BenchReport } from "./report";

/** The load generator: native transactions by default, web3 transfers with `mode: "web3"`. */
export function runBench(options: BenchOptions, hooks: BenchHooks = {}): Promise<BenchReport> {
  return options.mode === "native" ? runNative(options, hooks) : runWeb3(options, hooks);
}
