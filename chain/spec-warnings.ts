import { faultTolerance, maxSealersDown, totalWeight } from "./consensus";
import type { ChainSpec } from "./spec";

const PREFIX = "fisco-bcos";

/**
 * What a valid stack may still get wrong, as messages that name the key: the program goes on and prints them.
 * Shapes: one string per finding, in a fixed order.
 */
export function warningsFor(spec: ChainSpec): string[] {
  return [...consensusWarnings(spec), ...disruptionBudgetWarnings(spec), ...exposureWarnings(spec), ...validityWarnings(spec), ...membershipWarnings(spec)];
}

/**
 * The membership hook asks each node about itself (members/chain-view.ts): with fewer URLs than declared nodes, some
 * node has none, and a sealer without one is judged only by what its peers report.
 */
function membershipWarnings(spec: ChainSpec): string[] {
  const urls = spec.membership.hostRpcEndpoints.length;
  if (urls === 0 || urls >= spec.nodes.length) return [];
  return [
    `${PREFIX}:membership.hostRpcEndpoints has ${urls} URL(s) for ${spec.nodes.length} declared nodes: give one per node, each reaching ` +
      `that node itself (not a load-balanced Service), the nodes about to be added included, so that each answers for itself.`,
  ];
}

const sealersOf = (spec: ChainSpec) => spec.nodes.filter((n) => n.role === "sealer");

function consensusWarnings(spec: ChainSpec): string[] {
  const sealers = sealersOf(spec);
  if (faultTolerance(sealers) > 0) return [];
  return [
    `${PREFIX}:nodes: the sealers' total vote weight is ${totalWeight(sealers)}, which tolerates no faulty sealer ` +
      `(f = floor((W-1)/3) = 0): one sealer down stops block production. Use at least 4 sealers of equal weight to tolerate one.`,
  ];
}

/** f > 0 but one sealer outweighs it: the budget is 0 and no sealer's host can be drained. */
function disruptionBudgetWarnings(spec: ChainSpec): string[] {
  const sealers = sealersOf(spec);
  const f = faultTolerance(sealers);
  if (!spec.disruptionBudget.enabled || f === 0 || maxSealersDown(sealers) > 0) return [];
  const heaviest = sealers.reduce((a, b) => (b.weight > a.weight ? b : a));
  return [
    `${PREFIX}:nodes: sealer ${heaviest.name} has weight ${heaviest.weight}, more than the chain can lose (f = ${f} of W = ${totalWeight(sealers)}), ` +
      `so the sealers' PodDisruptionBudget allows 0 evictions and no sealer's host can be drained. Rebalance the weights, or set ` +
      `${PREFIX}:disruptionBudget.enabled to false and drain hosts one at a time yourself.`,
  ];
}

/**
 * A Service outside the cluster behind a NetworkPolicy that admits no outside source; or a NodePort or LoadBalancer
 * (reachable from outside the cluster) with auth checking off.
 */
function exposureWarnings(spec: ChainSpec): string[] {
  const warnings: string[] = [];
  for (const kind of ["rpc", "web3"] as const) {
    if (kind === "web3" && !spec.web3.enabled) continue;
    const type = spec.services[kind].type;
    if (type === "ClusterIP") continue;
    if (spec.networkPolicy.enabled && spec.networkPolicy.clientCidrs.length === 0) {
      warnings.push(
        `${PREFIX}:services.${kind}.type is ${type}, but the NetworkPolicy admits RPC/web3 only from labelled namespaces and pods, ` +
          `so clients outside the cluster are dropped: list their source ranges in ${PREFIX}:networkPolicy.clientCidrs.`,
      );
    }
    if (!spec.authCheck) {
      warnings.push(
        `${PREFIX}:services.${kind}.type is ${type} with ${PREFIX}:authCheck false: anyone who can send a transaction there ` +
          `can change the sealer set and system config (the precompiled contracts check the committee only with auth checking on).`,
      );
    }
  }
  return warnings;
}

/** Below this, certificates expire within a season: FISCO nodes then refuse their peers and SDK clients. */
const SHORT_VALIDITY_DAYS = 90;

function validityWarnings(spec: ChainSpec): string[] {
  const days = spec.certificates.validityDays;
  if (days >= SHORT_VALIDITY_DAYS) return [];
  return [
    `${PREFIX}:certificates.validityDays is ${days}: the chain's certificates expire ${days} days after they are issued, and an expired ` +
      `certificate stops the node's P2P and RPC. Watch the certificateExpiry stack output; a renewal rolls the nodes one at a time.`,
  ];
}
