/** Nearest-rank percentile (p in (0, 100]) of samples sorted ascending; null when there are none. */
function rank(sorted: readonly number[], p: number): number | null {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`);
  return sorted.length === 0 ? null : sorted[Math.ceil((p / 100) * sorted.length) - 1];
}

/** Nearest-rank percentile (p in (0, 100]) of unsorted samples; null when there are none. */
export function percentile(samples: readonly number[], p: number): number | null {
  return rank(
    [...samples].sort((a, b) => a - b),
    p,
  );
}

export interface LatencySummary {
  readonly count: number;
  readonly p50: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
  readonly max: number | null;
}

/** Count, p50/p95/p99 (nearest rank) and max of any number of samples (one sort, no spread arguments). */
export function summarize(samples: readonly number[]): LatencySummary {
  const sorted = Float64Array.from(samples).sort();
  const list = Array.from(sorted);
  return { count: list.length, p50: rank(list, 50), p95: rank(list, 95), p99: rank(list, 99), max: list.length ? list[list.length - 1] : null };
}
