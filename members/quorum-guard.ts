import { faultTolerance, totalWeight } from "../chain/consensus";
import type { MembershipStep, OnChainMembers } from "../chain/membership-plan";
import { normalizeHex } from "../fisco/native-api";
import type { ChainView } from "./chain-view";
import { SYNC_KEEP_UP_THRESHOLD } from "./sync-gate";

/**
 * Whether the sealers that are up can still seal after a step. The plan's refusals count weights only; this looks at
 * the chain as it is: a sealer counts as live when its own RPC answered, or another node lists it among its sync
 * peers, within 10 blocks of the head. After the step PBFT needs the weight W − f of the new sealer set
 * (f = ⌊(W − 1)/3⌋); when the live sealers of that set weigh less, the step would stop block production (e.g. removing
 * a sealer while another is down), so it is not sent.
 */

/** The sealer set once `step` has run. */
export function sealersAfter(members: OnChainMembers, step: MembershipStep): { nodeId: string; weight: number }[] {
  const id = normalizeHex(step.nodeId);
  const others = members.sealers.filter((s) => normalizeHex(s.nodeId) !== id).map((s) => ({ nodeId: normalizeHex(s.nodeId), weight: s.weight }));
  if (step.action === "addSealer" || step.action === "setWeight") return [...others, { nodeId: id, weight: step.weight }];
  return others; // remove, or addObserver (demotes a sealer; a new observer leaves the sealers as they are)
}

/** Node ids that answered, or that another answering node reports among its sync peers, within 10 blocks of the head. */
export function liveNodes(view: ChainView): Set<string> {
  const floor = view.highest - SYNC_KEEP_UP_THRESHOLD;
  const live = new Set<string>();
  for (const node of view.nodes) {
    if (node.blockNumber >= floor) live.add(node.nodeId);
    for (const peer of node.peers) if (peer.blockNumber >= floor) live.add(peer.nodeId);
  }
  return live;
}

/** Why `step` must not be sent now, or null when the live sealers can carry the set it leaves. */
export function quorumProblem(view: ChainView, step: MembershipStep, names: (nodeId: string) => string): string | null {
  if (step.action === "addObserver" && !view.members.sealers.some((s) => normalizeHex(s.nodeId) === normalizeHex(step.nodeId))) return null;
  const after = sealersAfter(view.members, step);
  const weighted = after.map((s) => ({ name: s.nodeId, weight: s.weight }));
  const needed = totalWeight(weighted) - faultTolerance(weighted);
  const live = liveNodes(view);
  // the node an addSealer promotes has just passed the sync gate
  if (step.action === "addSealer") live.add(normalizeHex(step.nodeId));
  const liveWeight = totalWeight(weighted.filter((s) => live.has(s.name)));
  if (liveWeight >= needed) return null;
  const down = after.filter((s) => !live.has(s.nodeId)).map((s) => `${names(s.nodeId)} (weight ${s.weight})`);
  return (
    `after it the sealers would need weight ${needed} of ${totalWeight(weighted)} to seal, but those up and within ${SYNC_KEEP_UP_THRESHOLD} blocks weigh ${liveWeight}` +
    ` (down or behind: ${down.join(", ")}): bring them back first, or block production stops`
  );
}
