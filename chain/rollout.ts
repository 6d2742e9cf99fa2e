import { maxSealersDown } from "./consensus";
import type { NodeSpec } from "./spec";

/**
 * The order in which nodes may restart without losing quorum: sealers in node order, in waves of k = the most sealers
 * PBFT can lose at once (chain/consensus.ts maxSealersDown, at least 1); each wave starts after the previous one is
 * back. Observers vote in nothing and go in the first wave. With f = 0 any restart stalls the chain; one at a time
 * keeps that short.
 *
 * @returns node name → wave number (0, 1, …).
 */
export function rolloutWaves(nodes: readonly Pick<NodeSpec, "name" | "role" | "weight">[]): Record<string, number> {
  const sealers = nodes.filter((n) => n.role === "sealer");
  const perWave = Math.max(1, maxSealersDown(sealers));
  const waves: Record<string, number> = {};
  sealers.forEach((n, i) => (waves[n.name] = Math.floor(i / perWave)));
  for (const n of nodes) if (n.role !== "sealer") waves[n.name] = 0;
  return Object.fromEntries(nodes.map((n) => [n.name, waves[n.name]]));
}
