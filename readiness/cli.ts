import { parseArgs } from "node:util";
import { fail, numberFlag, UsageError } from "../cli/flags";
import { runReadinessAgent, type AgentOptions } from "./agent";
import { DEFAULT_MAX_LAG } from "./judge";

export const USAGE = `usage: node readiness.js --ready-file <file> [--rpc-url https://127.0.0.1:20200] [--conf <dir>] [--group group0]
                        [--max-lag N] [--interval S]

Runs beside a FISCO BCOS node (the chart's node-readiness container) and keeps <file> fresh while the node serves:
connected to a peer and within N blocks of the highest block it knows (default ${DEFAULT_MAX_LAG}); a chain still at
its genesis block needs no peer. --conf holds the node's ca.crt, ssl.crt and ssl.key (default /conf).`;

/** Flags → agent options. @throws UsageError naming the flag. */
export function parseReadinessCli(argv: readonly string[], log: (line: string) => void): AgentOptions {
  let values;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        "rpc-url": { type: "string", default: "https://127.0.0.1:20200" },
        conf: { type: "string", default: "/conf" },
        group: { type: "string", default: "group0" },
        "ready-file": { type: "string" },
        "max-lag": { type: "string" },
        interval: { type: "string" },
      },
    }).values;
  } catch (error) {
    return fail((error as Error).message);
  }
  if (!values["ready-file"]) fail("--ready-file is required");
  return {
    rpcUrl: values["rpc-url"]!,
    confDir: values.conf!,
    group: values.group!,
    readyFile: values["ready-file"]!,
    maxLag: numberFlag("--max-lag", values["max-lag"], 0, 1_000_000, true, "an integer") ?? DEFAULT_MAX_LAG,
    intervalMs: (numberFlag("--interval", values.interval, 1, 3600, true, "an integer") ?? 5) * 1000,
    log,
  };
}

/** Exit code: 2 for bad usage; otherwise the agent runs until the pod stops. */
export async function runReadinessCli(argv: readonly string[]): Promise<number> {
  const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
  let options: AgentOptions;
  try {
    options = parseReadinessCli(argv, log);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    throw error;
  }
  await runReadinessAgent(options);
  return 0;
}
