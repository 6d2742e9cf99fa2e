import { readFileSync } from "node:fs";
import { NodeApi } from "../fisco/native-api";
import { FiscoRpcClient } from "../fisco/rpc-client";
import { subnetCidr, slotAddress } from "./names";
import { isRunning } from "./process";
import type { NodeRecord, RunState } from "./state";
import type { LocalTree, TreeNode } from "./tree";

/**
 * What `local:status` reports per node: its process, its addresses, and (when its RPC answers) block height and
 * peer count over FISCO's native RPC, with the tree's SDK certificate (mutual TLS), as the verifier does.
 */

export type ProcessState = "running" | "exited" | "stopped" | "not started";

export interface NodeStatus {
  readonly name: string;
  readonly process: ProcessState;
  readonly pid?: number;
  readonly address?: string;
  readonly rpcUrl?: string;
  readonly web3Url?: string;
  /** getBlockNumber, when the RPC answered. */
  readonly height?: number;
  /** Number of peers in getSyncStatus, when the RPC answered. */
  readonly peers?: number;
  /** Why height and peers are missing, for a running node. */
  readonly rpcError?: string;
  readonly lastExit?: string;
}

/** Prefix of `lastExit` when the runner itself stopped the node (local:stop, local:down). */
export const STOPPED_BY_RUNNER = "stopped by";

/** running: its recorded process lives; exited: it ended on its own (or never came up); stopped: by the runner. */
export function processState(record: NodeRecord | undefined): ProcessState {
  if (!record?.startedAt) return "not started";
  if (record.pid !== undefined) return isRunning({ pid: record.pid, startTime: record.startTime ?? 0 }) ? "running" : "exited";
  return record.lastExit && !record.lastExit.startsWith(STOPPED_BY_RUNNER) ? "exited" : "stopped";
}

/** https (or http when `[rpc] enable_ssl=false`) URL of a node's RPC at its local address. */
export const rpcUrl = (node: TreeNode, address: string): string => `${node.rpcTls ? "https" : "http"}://${address}:${node.ports.rpc}`;
export const web3Url = (node: TreeNode, address: string): string | undefined => (node.ports.web3 ? `http://${address}:${node.ports.web3}` : undefined);

/** Address of a node while the network is up. */
export function nodeAddress(state: RunState, record: NodeRecord | undefined): string | undefined {
  return state.subnet && record ? slotAddress(state.subnet, record.slot) : undefined;
}

/** Status of every node of the tree and of the state (a node dropped from the tree but still known is listed too). */
export async function collectStatus(tree: LocalTree, state: RunState, timeoutMs: number): Promise<NodeStatus[]> {
  const names = [...new Set([...tree.nodes.map((n) => n.name), ...Object.keys(state.nodes)])].sort();
  const tls = readSdk(tree);
  return Promise.all(
    names.map(async (name) => {
      const record = state.nodes[name];
      const node = tree.nodes.find((n) => n.name === name);
      const address = nodeAddress(state, record);
      const base: NodeStatus = {
        name,
        process: processState(record),
        ...(record?.pid !== undefined && { pid: record.pid }),
        ...(address && node && { address, rpcUrl: rpcUrl(node, address), web3Url: web3Url(node, address) }),
        ...(record?.lastExit && { lastExit: record.lastExit }),
      };
      if (base.process !== "running" || !base.rpcUrl) return base;
      return { ...base, ...(await chainView(name, base.rpcUrl, tree.groupId, tls, timeoutMs)) };
    }),
  );
}

type Tls = { ca: string; cert: string; key: string } | string;

/** The tree's SDK certificate and key, or why they cannot be used. */
function readSdk(tree: LocalTree): Tls {
  if (!tree.sdk) return "no sdk/ca.crt, sdk.crt, sdk.key in the tree";
  try {
    return { ca: readFileSync(tree.sdk.ca, "utf8"), cert: readFileSync(tree.sdk.cert, "utf8"), key: readFileSync(tree.sdk.key, "utf8") };
  } catch (error) {
    return `cannot read the tree's sdk/ files (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
  }
}

async function chainView(name: string, url: string, group: string, tls: Tls, timeoutMs: number): Promise<Partial<NodeStatus>> {
  if (typeof tls === "string" && url.startsWith("https:")) return { rpcError: tls };
  const client = new FiscoRpcClient({ name, url }, typeof tls === "string" ? undefined : tls);
  try {
    const api = new NodeApi(client, group);
    const [height, sync] = await Promise.all([api.blockNumber(timeoutMs), api.syncStatus(timeoutMs)]);
    return { height, peers: sync.peers.length };
  } catch (error) {
    return { rpcError: (error as Error).message };
  } finally {
    client.close();
  }
}

/** One line about the tree's network, then a table (node, process, address, rpc, web3, height, peers). */
export function formatStatus(tree: LocalTree, state: RunState, statuses: readonly NodeStatus[]): string {
  const net = state.subnet ? `subnet ${subnetCidr(state.subnet)}, host ${slotAddress(state.subnet, 1)} on ${state.bridge}` : "network down";
  const bin = state.binary ? `, fisco-bcos ${state.binary.version} (${state.binary.path})` : "";
  const rows = statuses.map((s) => [
    s.name,
    s.process === "running" ? `running pid ${s.pid}` : s.process === "exited" ? `exited${s.lastExit ? ` (${s.lastExit})` : ""}` : s.process,
    s.address ?? "-",
    s.rpcUrl ?? "-",
    s.web3Url ?? "-",
    s.height === undefined ? "-" : String(s.height),
    s.peers === undefined ? "-" : String(s.peers),
  ]);
  const notes = statuses.filter((s) => s.rpcError).map((s) => `${s.name}: rpc: ${s.rpcError}`);
  return [
    `tree ${tree.root} (id ${state.id}; ${net}${bin})`,
    ...table([["node", "process", "address", "rpc", "web3", "height", "peers"], ...rows]),
    ...notes,
  ].join("\n");
}

/** Rows as left-aligned columns separated by two spaces. */
export function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join("  "));
}
