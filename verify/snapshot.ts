import type { ConsensusStatus, GroupInfo, NodeApi, Sealer, SyncStatus } from "../fisco/native-api";
import { RpcError } from "../fisco/rpc-client";

/** What one node says about itself and the chain at one moment. */
export type NodeSnapshot =
  | { readonly kind: "down"; readonly name: string; readonly error: RpcError }
  | { readonly kind: "no-group"; readonly name: string; readonly latencyMs: number }
  | {
      readonly kind: "up";
      readonly name: string;
      readonly latencyMs: number;
      readonly group: GroupInfo;
      readonly sync: SyncStatus;
      readonly consensus: ConsensusStatus;
      readonly sealers: readonly Sealer[];
      /** getObserverList: node ids, as this node's ledger holds them. */
      readonly observers: readonly string[];
    };

export type UpSnapshot = Extract<NodeSnapshot, { kind: "up" }>;

export const upNodes = (snapshots: readonly NodeSnapshot[]): UpSnapshot[] => snapshots.filter((s): s is UpSnapshot => s.kind === "up");

function asRpcError(error: unknown, node: string, method: string): RpcError {
  return error instanceof RpcError ? error : new RpcError("protocol", node, method, error instanceof Error ? error.message : String(error));
}

/** getGroupInfo, then getSyncStatus, getConsensusStatus, getSealerList and getObserverList together. */
export async function snapshotNode(api: NodeApi, timeoutMs: number): Promise<NodeSnapshot> {
  const started = Date.now();
  try {
    const group = await api.groupInfo(timeoutMs);
    if (!group) return { kind: "no-group", name: api.name, latencyMs: Date.now() - started };
    const [sync, consensus, sealers, observers] = await Promise.all([
      api.syncStatus(timeoutMs),
      api.consensusStatus(timeoutMs),
      api.sealerList(timeoutMs),
      api.observerList(timeoutMs),
    ]);
    return { kind: "up", name: api.name, latencyMs: Date.now() - started, group, sync, consensus, sealers, observers };
  } catch (error) {
    return { kind: "down", name: api.name, error: asRpcError(error, api.name, "snapshot") };
  }
}

export type HeightReading = { readonly name: string; readonly height: number } | { readonly name: string; readonly error: RpcError };

/** getBlockNumber on every node at once. */
export function readHeights(apis: readonly NodeApi[], timeoutMs: number): Promise<HeightReading[]> {
  return Promise.all(
    apis.map(async (api): Promise<HeightReading> => {
      try {
        return { name: api.name, height: await api.blockNumber(timeoutMs) };
      } catch (error) {
        return { name: api.name, error: asRpcError(error, api.name, "getBlockNumber") };
      }
    }),
  );
}
