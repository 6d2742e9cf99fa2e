import type { ChainView } from "./chain-view";

/**
 * When a node may join consensus, as the Java SDK's ConsensusService checks before addSealer (java-sdk
 * contract/precompiled/consensus/ConsensusService.java; SYNC_KEEP_UP_THRESHOLD = 10 in model/PrecompiledConstant.java):
 * the node is among the group's peers (getGroupPeers) and its block number is at least the highest known block
 * minus 10. A sealer that joins further behind cannot vote until it catches up, and while it cannot, the chain has
 * one faulty vote more than it had.
 *
 * The Java SDK asks one node (the one it is connected to): its own status when that node is the one to add, else its
 * sync peers' entry for it. Here every node that answered is asked: the node to add counts as a group peer when a node
 * other than itself lists it, and its height is its own report when its RPC answered, else the highest height any
 * member reports for it among its sync peers.
 */

export const SYNC_KEEP_UP_THRESHOLD = 10;

export interface SyncJudgement {
  readonly ready: boolean;
  /** Names of the nodes (other than the node itself) whose getGroupPeers list it. */
  readonly seenBy: readonly string[];
  /** Its block number as far as known; null when no node reports one. */
  readonly height: number | null;
  readonly highest: number;
  /** Why it is not ready yet (empty when ready). */
  readonly reason: string;
}

/** Whether `nodeId` is a connected group peer within `threshold` blocks of the head. */
export function judgeSync(view: ChainView, nodeId: string, name: string, threshold = SYNC_KEEP_UP_THRESHOLD): SyncJudgement {
  const others = view.nodes.filter((n) => n.nodeId !== nodeId);
  const seenBy = others.filter((n) => n.groupPeers.includes(nodeId)).map((n) => n.api.name);
  const own = view.nodes.find((n) => n.nodeId === nodeId);
  const reported = others.flatMap((n) => n.peers.filter((p) => p.nodeId === nodeId).map((p) => p.blockNumber));
  const height = own ? own.blockNumber : reported.length > 0 ? Math.max(...reported) : null;
  const highest = view.highest;
  let reason = "";
  if (seenBy.length === 0)
    reason = `${name} is not among the group peers (getGroupPeers) of ${others.length === 0 ? "any other node" : others.map((n) => n.api.name).join(", ")}: is it running and connected?`;
  else if (height === null) reason = `no node reports ${name}'s block number yet`;
  else if (height < highest - threshold)
    reason = `${name} is at block ${height}, ${highest - height} behind the highest known block ${highest} (at most ${threshold} allowed)`;
  return { ready: reason === "", seenBy, height, highest, reason };
}

/** Whether `nodeId` is a group peer of some node other than itself (the Java SDK's check before addObserver). */
export function judgePeer(view: ChainView, nodeId: string, name: string): SyncJudgement {
  const judgement = judgeSync(view, nodeId, name, Number.POSITIVE_INFINITY);
  return judgement.seenBy.length > 0 ? { ...judgement, ready: true, reason: "" } : judgement;
}
