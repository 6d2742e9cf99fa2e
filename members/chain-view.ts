import type { OnChainMembers } from "../chain/membership-plan";
import { normalizeHex, type NodeApi, type SyncPeer } from "../fisco/native-api";

/**
 * The chain's membership as the nodes answer it: each node's getSealerList, getObserverList, getSyncStatus and
 * getGroupPeers (FISCO v3.16.4 JsonRpcImpl_2_0.cpp; getGroupPeers [group] answers the node ids of the group's nodes
 * the node's gateway knows, itself included), read from every node in parallel. The sets are those a majority of the
 * nodes asked agree on, so one stale or lying node cannot steer a change.
 */

/** One node's answers. */
export interface NodeView {
  readonly api: NodeApi;
  /** The node's own consensus id (getSyncStatus nodeID), lowercase hex. */
  readonly nodeId: string;
  readonly blockNumber: number;
  readonly knownHighestNumber: number;
  readonly peers: readonly SyncPeer[];
  /** getGroupPeers: node ids, lowercase hex. */
  readonly groupPeers: readonly string[];
  readonly members: OnChainMembers;
}

export interface ChainView {
  /** The sets a majority of the nodes asked agree on. */
  readonly members: OnChainMembers;
  /** Every node that answered. */
  readonly nodes: readonly NodeView[];
  /** Nodes that did not answer, with why. */
  readonly unreachable: readonly { readonly name: string; readonly message: string }[];
  /** The highest block any node knows of (getSyncStatus knownHighestNumber). */
  readonly highest: number;
}

export class MembershipReadError extends Error {
  /** Names of the nodes asked that did not answer. */
  constructor(
    message: string,
    readonly unreachable: readonly string[],
  ) {
    super(message);
  }
}

/** Sealers sorted by id (with weights) and observers sorted: the same sets give the same text. */
export function membersKey(members: OnChainMembers): string {
  const sealers = [...members.sealers].map((s) => `${normalizeHex(s.nodeId)}:${s.weight}`).sort();
  const observers = [...members.observers].map(normalizeHex).sort();
  return JSON.stringify([sealers, observers]);
}

async function readNode(api: NodeApi, timeoutMs: number): Promise<NodeView> {
  const [sync, sealers, observers, groupPeers] = await Promise.all([
    api.syncStatus(timeoutMs),
    api.sealerList(timeoutMs),
    api.observerList(timeoutMs),
    api.client.request<unknown>("getGroupPeers", [api.group], timeoutMs),
  ]);
  return {
    api,
    nodeId: sync.nodeId,
    blockNumber: sync.blockNumber,
    knownHighestNumber: sync.knownHighestNumber,
    peers: sync.peers,
    groupPeers: Array.isArray(groupPeers) ? groupPeers.map(normalizeHex) : [],
    members: { sealers: sealers.map((s) => ({ nodeId: normalizeHex(s.nodeId), weight: s.weight })), observers: observers.map(normalizeHex) },
  };
}

/**
 * Ask every node. @throws MembershipReadError when fewer than a majority of the nodes asked answer with the same
 * sealer and observer sets (a node that does not answer counts against the majority).
 */
export async function readChainView(apis: readonly NodeApi[], timeoutMs: number): Promise<ChainView> {
  const settled = await Promise.allSettled(apis.map((api) => readNode(api, timeoutMs)));
  const nodes: NodeView[] = [];
  const unreachable: { name: string; message: string }[] = [];
  settled.forEach((result, i) => {
    if (result.status === "fulfilled") nodes.push(result.value);
    else unreachable.push({ name: apis[i].name, message: result.reason instanceof Error ? result.reason.message : String(result.reason) });
  });
  const tally = new Map<string, NodeView[]>();
  for (const node of nodes) {
    const key = membersKey(node.members);
    tally.set(key, [...(tally.get(key) ?? []), node]);
  }
  const [agreeing] = [...tally.values()].sort((a, b) => b.length - a.length);
  const needed = Math.floor(apis.length / 2) + 1;
  if (nodes.length === 0) {
    const hint = unreachable.some((u) => /ENOTFOUND|does not resolve/.test(u.message))
      ? " (names that do not resolve here: give the nodes' URLs with --rpc, e.g. the ones `npm run local:up` prints, or run inside the chain's network)"
      : "";
    throw new MembershipReadError(
      `none of the ${apis.length} nodes asked answered${hint}: ${unreachable.map((u) => `${u.name}: ${u.message}`).join("; ")}`,
      unreachable.map((u) => u.name),
    );
  }
  if (!agreeing || agreeing.length < needed) {
    const answers = [...tally.values()].map((group) => `${group.map((n) => n.api.name).join(", ")}: ${describeMembers(group[0].members)}`);
    const silent = unreachable.map((u) => `${u.name}: ${u.message}`);
    throw new MembershipReadError(
      `the sealer and observer lists are not the same on a majority of the ${apis.length} nodes asked (${needed} needed)` +
        `${answers.length ? `; answers: ${answers.join("; ")}` : ""}${silent.length ? `; no answer: ${silent.join("; ")}` : ""}`,
      unreachable.map((u) => u.name),
    );
  }
  const highest = Math.max(0, ...nodes.map((n) => Math.max(n.knownHighestNumber, n.blockNumber)));
  return { members: agreeing[0].members, nodes, unreachable, highest };
}

/** e.g. `4 sealers (weights 1,1,1,2), 1 observer`. */
export function describeMembers(members: OnChainMembers): string {
  const s = members.sealers.length;
  const o = members.observers.length;
  return `${s} sealer${s === 1 ? "" : "s"} (weights ${members.sealers.map((x) => x.weight).join(",") || "-"}), ${o} observer${o === 1 ? "" : "s"}`;
}

/** The role and weight of a node id in these sets. */
export function roleOf(members: OnChainMembers, nodeId: string): { role: "sealer"; weight: number } | { role: "observer" } | { role: "none" } {
  const id = normalizeHex(nodeId);
  const sealer = members.sealers.find((s) => normalizeHex(s.nodeId) === id);
  if (sealer) return { role: "sealer", weight: sealer.weight };
  if (members.observers.some((o) => normalizeHex(o) === id)) return { role: "observer" };
  return { role: "none" };
}
