import type { Sealer } from "../fisco/native-api";
import type { UpSnapshot } from "./snapshot";

/**
 * A node's role in the group, as the chain says (getSealerList, getObserverList), not as the stack declares it:
 * sealers and observers are members (they serve clients); any other node is a free node, which syncs when every
 * node sets `[sync] allow_free_node=true` but whose forwarded transactions the sealers drop
 * (`[txpool] enable_txs_from_free_node=false`), so it never takes the probe.
 */
export type NodeRole = "sealer" | "observer" | "not a member";

/** The answer most nodes gave (ties: the first node's), with its key. */
function majority<T>(up: readonly UpSnapshot[], key: (s: UpSnapshot) => string, value: (s: UpSnapshot) => T, none: T): T {
  const counts = new Map<string, number>();
  for (const s of up) counts.set(key(s), (counts.get(key(s)) ?? 0) + 1);
  const best = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  const found = up.find((s) => key(s) === best);
  return found ? value(found) : none;
}

export function majoritySealers(up: readonly UpSnapshot[]): readonly Sealer[] {
  return majority(
    up,
    (s) =>
      s.sealers
        .map((x) => `${x.nodeId}:${x.weight}`)
        .sort()
        .join(","),
    (s) => s.sealers,
    [],
  );
}

export function majorityObservers(up: readonly UpSnapshot[]): readonly string[] {
  return majority(
    up,
    (s) => [...s.observers].sort().join(","),
    (s) => s.observers,
    [],
  );
}

export interface Membership {
  readonly sealers: readonly Sealer[];
  readonly observers: readonly string[];
  readonly roleOf: (nodeId: string) => NodeRole;
}

/** Roles from the sealer and observer lists most of the answering nodes hold. */
export function membership(up: readonly UpSnapshot[]): Membership {
  const sealers = majoritySealers(up);
  const observers = majorityObservers(up);
  const sealerIds = new Set(sealers.map((s) => s.nodeId));
  const observerIds = new Set(observers);
  return { sealers, observers, roleOf: (id) => (sealerIds.has(id) ? "sealer" : observerIds.has(id) ? "observer" : "not a member") };
}

/** A node's role by its own ledger, for when the other nodes have not answered yet (the probe's early start). */
export function selfRole(s: UpSnapshot): NodeRole {
  return membership([s]).roleOf(s.sync.nodeId);
}

export const isMember = (role: NodeRole | null): boolean => role === "sealer" || role === "observer";
