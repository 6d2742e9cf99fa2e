import { faultTolerance, totalWeight } from "./consensus";

/** A node as the stack declares it: its consensus id (128 hex), role and vote weight. */
export interface DeclaredMember {
  readonly name: string;
  readonly nodeId: string;
  readonly role: "sealer" | "observer";
  readonly weight: number;
}

/** The chain's own view: getSealerList (ids with weights) and getObserverList. */
export interface OnChainMembers {
  readonly sealers: readonly { readonly nodeId: string; readonly weight: number }[];
  readonly observers: readonly string[];
}

/**
 * One transaction to the consensus precompiled contract (0x…1003, v3.16.4 ConsensusPrecompiled.cpp):
 * `addObserver(string)`, `addSealer(string,uint256)` (only for an observer, since v3.1), `setWeight(string,uint256)`,
 * `remove(string)`. `afterSync`: send it only once the node is a peer and within 10 blocks of the head, as the Java
 * SDK's ConsensusService checks before addSealer.
 */
export type MembershipStep =
  | { readonly action: "addObserver"; readonly name: string; readonly nodeId: string; readonly reason: string }
  | { readonly action: "addSealer"; readonly name: string; readonly nodeId: string; readonly weight: number; readonly afterSync: true; readonly reason: string }
  | { readonly action: "setWeight"; readonly name: string; readonly nodeId: string; readonly weight: number; readonly reason: string }
  | { readonly action: "remove"; readonly name: string; readonly nodeId: string; readonly reason: string };

export interface MembershipPlan {
  readonly steps: readonly MembershipStep[];
  /** Why the plan must not run (quorum would be lost on the way); empty when it is safe. Each names the numbers. */
  readonly refusals: readonly string[];
}

const norm = (id: string) => id.toLowerCase();

/**
 * The transactions that bring the on-chain sealer and observer sets to the declared ones, in a safe order: new nodes
 * join as observers first; observers declared sealers are promoted once synced; weights change; sealers leaving
 * consensus are demoted or removed last. `removed`: nodes the stack no longer declares, by name → id (they leave
 * consensus before their workloads go).
 *
 * Refused (with the numbers) when the sealers leaving consensus in one plan weigh more than the current chain can
 * lose (f = floor((W−1)/3)), when no sealer would remain, or when a sealer would join with more weight than the chain
 * could lose if it faltered (join with weight ≤ f, then raise it).
 */
export function planMembership(declared: readonly DeclaredMember[], onChain: OnChainMembers, removed: Readonly<Record<string, string>> = {}): MembershipPlan {
  const sealers = new Map(onChain.sealers.map((s) => [norm(s.nodeId), s.weight]));
  const observers = new Set(onChain.observers.map(norm));
  const steps: MembershipStep[] = [];
  const joining: MembershipStep[] = [];
  const leaving: MembershipStep[] = [];

  for (const node of declared) {
    const id = norm(node.nodeId);
    const isSealer = sealers.has(id);
    const isObserver = observers.has(id);
    if (!isSealer && !isObserver) steps.push({ action: "addObserver", name: node.name, nodeId: id, reason: `${node.name} is not a member yet` });
    if (node.role === "sealer" && !isSealer) {
      joining.push({
        action: "addSealer",
        name: node.name,
        nodeId: id,
        weight: node.weight,
        afterSync: true,
        reason: `${node.name} is declared a sealer of weight ${node.weight}`,
      });
    } else if (node.role === "sealer" && sealers.get(id) !== node.weight) {
      joining.push({
        action: "setWeight",
        name: node.name,
        nodeId: id,
        weight: node.weight,
        reason: `${node.name} has weight ${sealers.get(id)} on chain, ${node.weight} declared`,
      });
    } else if (node.role === "observer" && isSealer) {
      leaving.push({ action: "addObserver", name: node.name, nodeId: id, reason: `${node.name} is a sealer on chain, declared an observer` });
    }
  }
  for (const [name, nodeId] of Object.entries(removed)) {
    const id = norm(nodeId);
    if (sealers.has(id) || observers.has(id)) leaving.push({ action: "remove", name, nodeId: id, reason: `${name} is no longer in the stack` });
  }
  steps.push(...joining, ...leaving);
  return { steps, refusals: refusals(onChain, steps) };
}

function refusals(onChain: OnChainMembers, steps: readonly MembershipStep[]): string[] {
  const problems: string[] = [];
  const current = onChain.sealers.map((s) => ({ name: norm(s.nodeId), weight: s.weight }));
  const f = faultTolerance(current);
  const leavingIds = new Set(
    steps.filter((s) => s.action === "remove" || (s.action === "addObserver" && current.some((c) => c.name === s.nodeId))).map((s) => s.nodeId),
  );
  const leavingWeight = totalWeight(current.filter((s) => leavingIds.has(s.name)));
  if (leavingWeight > f) {
    problems.push(
      `sealers of total weight ${leavingWeight} would leave consensus at once, but the chain (W = ${totalWeight(current)}) can lose at most f = ${f}: ` +
        `remove or demote them over several updates, at most weight ${f} each`,
    );
  }
  const after = new Map(current.map((s) => [s.name, s.weight]));
  for (const id of leavingIds) after.delete(id);
  for (const step of steps) if (step.action === "addSealer" || step.action === "setWeight") after.set(step.nodeId, step.weight);
  if (after.size === 0) problems.push("no sealer would remain: at least one sealer must stay in consensus");
  const finalSet = [...after].map(([name, weight]) => ({ name, weight }));
  const fAfter = faultTolerance(finalSet);
  for (const step of steps) {
    if (step.action !== "addSealer" || step.weight <= fAfter) continue;
    problems.push(
      `${step.name} would join consensus with weight ${step.weight}, more than the chain could then lose (f = ${fAfter} of W = ${totalWeight(finalSet)}): ` +
        `a new sealer that falters would stop block production; add it with weight ${Math.max(1, fAfter)} and raise it in a later update`,
    );
  }
  return problems;
}
