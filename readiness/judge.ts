import type { SyncStatus } from "../fisco/native-api";

/** Blocks a node may trail the highest block it knows of and still serve: the Java SDK's SYNC_KEEP_UP_THRESHOLD. */
export const DEFAULT_MAX_LAG = 10;

export interface Readiness {
  readonly ready: boolean;
  /** Why, in a few words, e.g. "at block 12 of 12, 3 peers". */
  readonly reason: string;
}

/**
 * Whether a node serves: it knows peers and is within `maxLag` blocks of the highest block it has heard of. A chain
 * still at its genesis block counts without peers, so that the first node of a fresh chain (whose peers start after it
 * is ready, in rollout waves) is not waited on forever.
 *
 * @param sync the node's own getSyncStatus. @param maxLag blocks (≥ 0).
 */
export function judgeReadiness(sync: SyncStatus, maxLag = DEFAULT_MAX_LAG): Readiness {
  const highest = Math.max(sync.knownHighestNumber, sync.blockNumber);
  const lag = highest - sync.blockNumber;
  const where = `at block ${sync.blockNumber} of ${highest}, ${sync.peers.length} peer${sync.peers.length === 1 ? "" : "s"}`;
  if (lag > maxLag) return { ready: false, reason: `${where}: ${lag} blocks behind (bound ${maxLag})` };
  if (sync.peers.length === 0 && highest > 0) return { ready: false, reason: `${where}: connected to no peer` };
  return { ready: true, reason: where };
}
