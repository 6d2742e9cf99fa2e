/** PBFT arithmetic over vote weights (FISCO BCOS 3.x counts weight, not nodes). */
export interface WeightedSealer {
  readonly name: string;
  readonly weight: number;
}

export function totalWeight(sealers: readonly WeightedSealer[]): number {
  return sealers.reduce((sum, s) => sum + s.weight, 0);
}

/** f = floor((W - 1) / 3): the vote weight that may be faulty while the rest reach quorum. */
export function faultTolerance(sealers: readonly WeightedSealer[]): number {
  const w = totalWeight(sealers);
  return w > 0 ? Math.floor((w - 1) / 3) : 0;
}

/** Quorum weight needed to commit: W - f. */
export function quorumWeight(sealers: readonly WeightedSealer[]): number {
  return totalWeight(sealers) - faultTolerance(sealers);
}

/**
 * The most sealers that may be down at once in the worst case (the heaviest ones)
 * while the rest still reach quorum. This is the PodDisruptionBudget's maxUnavailable.
 */
export function maxSealersDown(sealers: readonly WeightedSealer[]): number {
  const f = faultTolerance(sealers);
  const heaviestFirst = sealers.map((s) => s.weight).sort((a, b) => b - a);
  let down = 0;
  let lost = 0;
  for (const weight of heaviestFirst) {
    if (lost + weight > f) break;
    lost += weight;
    down++;
  }
  return down;
}
