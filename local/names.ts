import { createHash } from "node:crypto";

/**
 * Names of everything the local chain runner creates in the kernel, all derived from one short id per tree, so that
 * two trees never collide and `local:down` can find (and remove) exactly what it made. Pure functions.
 *
 * Linux limits interface names to 15 characters (IFNAMSIZ − 1); namespace names are file names under /run/netns.
 */

/** Every kernel object of every tree starts with this. */
export const NAME_PREFIX = "fb";

/** The per-tree id: "fb" + 6 hex of sha256(absolute tree path), e.g. "fb3a9c1e" (8 characters). */
export function treeId(absoluteTreePath: string): string {
  return `${NAME_PREFIX}${createHash("sha256").update(absoluteTreePath).digest("hex").slice(0, 6)}`;
}

/** Network namespace of one node: "<id>-<node>", e.g. "fb3a9c1e-node0". */
export const netnsName = (id: string, node: string): string => `${id}-${node}`;

/** The bridge on the host that every node's veth joins: "<id>-br" (11 characters). */
export const bridgeName = (id: string): string => `${id}-br`;

/** Host end of a node's veth pair: "<id>-h<slot>", at most 13 characters (slot ≤ 254). */
export const hostVethName = (id: string, slot: number): string => `${id}-h${slot}`;

/** Namespace end of the pair before it moves into the namespace (where it is renamed eth0): "<id>-n<slot>". */
export const peerVethName = (id: string, slot: number): string => `${id}-n${slot}`;

/** Name of the node's interface inside its namespace, as in a pod. */
export const NODE_INTERFACE = "eth0";

/** True when a kernel object name (namespace or link) belongs to the tree with this id. */
export const ownedBy = (id: string, name: string): boolean => name === `${id}-br` || name.startsWith(`${id}-`);

/** A /24 private subnet: its first three octets, e.g. [10, 213, 7]. */
export type Subnet = readonly [number, number, number];

/**
 * The /24 the tree prefers, 10.<200..249>.<0..255>.0/24, from its id, then the next ones in order: a tree keeps its
 * addresses from one run to the next unless another network took them. Yields at most `count` candidates.
 */
export function* subnetCandidates(id: string, count = 64): Generator<Subnet> {
  const seed = Number.parseInt(id.slice(NAME_PREFIX.length), 16);
  const slots = 50 * 256;
  for (let i = 0; i < Math.min(count, slots); i++) {
    const n = (seed + i) % slots;
    yield [10, 200 + Math.floor(n / 256), n % 256];
  }
}

export const subnetCidr = (s: Subnet): string => `${s.join(".")}.0/24`;

/** Address of host slot `slot` (1 = the host side of the bridge, 2… = nodes) in the subnet. */
export const slotAddress = (s: Subnet, slot: number): string => `${s.join(".")}.${slot}`;

/** Node slots run from 2 to 254: a tree can run at most this many nodes at once. */
export const FIRST_NODE_SLOT = 2;
export const LAST_NODE_SLOT = 254;
