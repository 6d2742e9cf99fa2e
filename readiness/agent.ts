import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { NodeApi } from "../fisco/native-api";
import { FiscoRpcClient } from "../fisco/rpc-client";
import { judgeReadiness, type Readiness } from "./judge";

export interface AgentOptions {
  /** The node's own RPC, e.g. https://127.0.0.1:20200 (the pod's loopback). */
  readonly rpcUrl: string;
  /** A directory with ca.crt, ssl.crt and ssl.key: the node's own TLS identity, which the chain CA signed. */
  readonly confDir: string;
  readonly group: string;
  /** The file whose fresh modification time says "ready" (the node container's probe checks it). */
  readonly readyFile: string;
  readonly maxLag: number;
  readonly intervalMs: number;
  /** Stop after this many checks (tests); forever when absent. */
  readonly checks?: number;
  readonly log: (line: string) => void;
}

/**
 * Checks the node every `intervalMs` and keeps `readyFile` touched while it serves, removed while it does not: a file
 * the node's container can test with the shell tools its image has (it has no TLS client). Logs each change of verdict.
 */
export async function runReadinessAgent(options: AgentOptions): Promise<void> {
  const tls = {
    ca: readFileSync(join(options.confDir, "ca.crt"), "utf8"),
    cert: readFileSync(join(options.confDir, "ssl.crt"), "utf8"),
    key: readFileSync(join(options.confDir, "ssl.key"), "utf8"),
  };
  const api = new NodeApi(new FiscoRpcClient({ name: "node", url: options.rpcUrl }, tls), options.group);
  let last = "";
  try {
    for (let i = 0; options.checks === undefined || i < options.checks; i++) {
      const verdict = await check(api, options);
      record(options.readyFile, verdict.ready);
      const line = `${verdict.ready ? "ready" : "not ready"}: ${verdict.reason}`;
      if (line.replace(/\d+/g, "#") !== last) options.log(line);
      last = line.replace(/\d+/g, "#");
      if (options.checks === undefined || i + 1 < options.checks) await sleep(options.intervalMs);
    }
  } finally {
    api.client.close();
  }
}

async function check(api: NodeApi, options: AgentOptions): Promise<Readiness> {
  try {
    return judgeReadiness(await api.syncStatus(Math.min(options.intervalMs, 5_000)), options.maxLag);
  } catch (error) {
    return { ready: false, reason: `RPC does not answer: ${(error as Error).message}` };
  }
}

function record(file: string, ready: boolean): void {
  if (!ready) return rmSync(file, { force: true });
  const temporary = `${file}.tmp`;
  writeFileSync(temporary, `${new Date().toISOString()}\n`);
  renameSync(temporary, file);
}
