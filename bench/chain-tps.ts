/** One block as the chain-side rate needs it. */
export interface BlockCount {
  readonly number: number;
  /** Milliseconds since the epoch. */
  readonly timestamp: number;
  readonly transactions: number;
}

/** The chain's own rate over the blocks of a run. */
export interface ChainRate {
  /** Transactions per second, or null with fewer than two blocks (or no time between them). */
  readonly tps: number | null;
  readonly firstBlock: number;
  readonly lastBlock: number;
  readonly blocks: number;
  /** Every transaction in those blocks (other clients' included). */
  readonly transactions: number;
  /** timestamp(last) − timestamp(first), milliseconds. */
  readonly spanMs: number;
}

/**
 * The rate the chain achieved: the transactions of blocks first+1 … last over timestamp(last) − timestamp(first).
 * The first block's own transactions are left out, since they were gathered before its timestamp; with a single
 * block there is no interval, so no rate. Block timestamps are set by the sealer (FISCO: milliseconds).
 */
export function chainRate(blocks: readonly BlockCount[]): ChainRate | null {
  if (blocks.length === 0) return null;
  const sorted = [...blocks].sort((a, b) => a.number - b.number);
  const [first, last] = [sorted[0], sorted[sorted.length - 1]];
  const spanMs = last.timestamp - first.timestamp;
  const after = sorted.slice(1).reduce((n, b) => n + b.transactions, 0);
  return {
    tps: sorted.length > 1 && spanMs > 0 ? (after * 1000) / spanMs : null,
    firstBlock: first.number,
    lastBlock: last.number,
    blocks: sorted.length,
    transactions: after + first.transactions,
    spanMs,
  };
}

/** Read blocks first … last through `read`, a few at a time. */
export async function readBlocks(first: number, last: number, read: (n: number) => Promise<BlockCount>, parallel = 8): Promise<BlockCount[]> {
  const numbers = Array.from({ length: Math.max(0, last - first + 1) }, (_, i) => first + i);
  const out: BlockCount[] = [];
  for (let i = 0; i < numbers.length; i += parallel) out.push(...(await Promise.all(numbers.slice(i, i + parallel).map(read))));
  return out;
}
