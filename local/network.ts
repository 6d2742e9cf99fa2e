import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { bridgeName, hostVethName, NODE_INTERFACE, ownedBy, slotAddress, subnetCandidates, type Subnet } from "./names";

/**
 * The network plumbing, with iproute2: one bridge on the host (with an address, so the host reaches every node), and
 * per node a network namespace joined to the bridge by a veth pair, its own address on a private /24 and no default
 * route, so traffic stays between the namespaces and the host. Peer names resolve through /etc/netns/<ns>/hosts,
 * which `ip netns exec` bind-mounts over /etc/hosts in the node's mount namespace.
 */

/** An `ip` command failed; the message holds the command and what it printed. */
export class NetworkError extends Error {}

/** Runs `ip <args>` and returns its stdout; throws NetworkError on a non-zero exit. */
export type Ip = (args: readonly string[]) => string;

/** An Ip that runs the iproute2 binary at `ipPath`. */
export function ipCommand(ipPath: string): Ip {
  return (args) => {
    const run = spawnSync(ipPath, args, { encoding: "utf8", timeout: 30_000 });
    if (run.status !== 0) throw new NetworkError(`ip ${args.join(" ")} failed: ${(run.stderr || run.error?.message || `exit ${run.status}`).trim()}`);
    return run.stdout;
  };
}

/** Network namespace names (`ip netns list`). */
export function listNamespaces(ip: Ip): string[] {
  return ip(["netns", "list"])
    .split("\n")
    .map((l) => l.trim().split(/\s+/)[0])
    .filter(Boolean);
}

/** Link names in the host's namespace (`ip -o link show`), without the "@peer" suffix. */
export function listLinks(ip: Ip): string[] {
  return ip(["-o", "link", "show"])
    .split("\n")
    .map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1])
    .filter((n): n is string => Boolean(n));
}

/** IPv4 prefixes in use on the host (addresses and routes of every table), as [a.b.c.d, length]. */
function prefixesInUse(ip: Ip): [string, number][] {
  const text = `${ip(["-4", "-o", "addr", "show"])}\n${ip(["-4", "route", "show", "table", "all"])}`;
  return [...text.matchAll(/(\d+\.\d+\.\d+\.\d+)(?:\/(\d+))?/g)].map((m) => [m[1], m[2] === undefined ? 32 : Number(m[2])]);
}

/**
 * A /24 that nothing on the host uses yet: `preferred` when still free, else the tree's first free candidate. A
 * broader route (a default route, 10.0.0.0/8) does not count: the /24 on the bridge is more specific. Throws
 * NetworkError when all candidates are taken.
 */
export function chooseSubnet(ip: Ip, id: string, preferred?: Subnet): Subnet {
  const used = prefixesInUse(ip).filter(([, len]) => len >= 24);
  const free = (s: Subnet) => !used.some(([addr]) => addr.startsWith(`${s.join(".")}.`));
  if (preferred && free(preferred)) return preferred;
  for (const s of subnetCandidates(id)) if (free(s)) return s;
  throw new NetworkError(`no free 10.2xx.x.0/24 subnet for tree ${id}`);
}

/** Create the tree's bridge with the host address .1 (idempotent). Returns its name. */
export function ensureBridge(ip: Ip, id: string, subnet: Subnet): string {
  const bridge = bridgeName(id);
  if (!listLinks(ip).includes(bridge)) ip(["link", "add", bridge, "type", "bridge"]);
  ip(["addr", "replace", `${slotAddress(subnet, 1)}/24`, "dev", bridge]);
  ip(["link", "set", bridge, "up"]);
  return bridge;
}

export interface NodeNetwork {
  readonly netns: string;
  readonly hostVeth: string;
  readonly address: string;
}

/**
 * Give a node its namespace (idempotent): `ip netns add`, a veth pair whose inside end is eth0, the address of its
 * slot, lo and eth0 up. No default route: the node reaches only the tree's subnet.
 */
export function ensureNodeNetwork(ip: Ip, id: string, subnet: Subnet, slot: number, netns: string): NodeNetwork {
  const hostVeth = hostVethName(id, slot);
  const address = slotAddress(subnet, slot);
  if (!listNamespaces(ip).includes(netns)) ip(["netns", "add", netns]);
  if (!listLinks(ip).includes(hostVeth)) ip(["link", "add", hostVeth, "type", "veth", "peer", "name", NODE_INTERFACE, "netns", netns]);
  ip(["link", "set", hostVeth, "master", bridgeName(id)]);
  ip(["link", "set", hostVeth, "up"]);
  ip(["-n", netns, "link", "set", "lo", "up"]);
  const current = ip(["-n", netns, "-4", "-o", "addr", "show", "dev", NODE_INTERFACE]).match(/inet \S+/g) ?? [];
  if (current.length !== 1 || current[0] !== `inet ${address}/24`) {
    ip(["-n", netns, "addr", "flush", "dev", NODE_INTERFACE]);
    ip(["-n", netns, "addr", "add", `${address}/24`, "dev", NODE_INTERFACE]);
  }
  ip(["-n", netns, "link", "set", NODE_INTERFACE, "up"]);
  return { netns, hostVeth, address };
}

/** PIDs of every process in a namespace (`ip netns pids`); empty when the namespace is gone. */
export function namespacePids(ip: Ip, netns: string): number[] {
  try {
    return ip(["netns", "pids", netns]).split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

const ETC_NETNS = "/etc/netns";
/** Files the runner writes in /etc/netns/<ns>/ (and the only ones it removes). */
const NETNS_FILES = ["hosts", "resolv.conf"] as const;

export interface HostsEntry {
  readonly address: string;
  readonly host: string;
}

/** The hosts file of a node's namespace: localhost, then each node's address with its DNS name and short name. */
export function hostsFileText(tree: string, entries: readonly HostsEntry[]): string {
  const lines = entries.map((e) => `${e.address}\t${e.host}${e.host.includes(".") ? ` ${e.host.split(".")[0]}` : ""}`);
  return [
    `# Written by the local chain runner (npm run local:up) for ${tree}; removed by npm run local:down.`,
    "127.0.0.1\tlocalhost",
    "::1\tlocalhost ip6-localhost ip6-loopback",
    ...lines,
    "",
  ].join("\n");
}

/**
 * Write /etc/netns/<ns>/hosts, and a resolv.conf without name servers so that any other name fails at once instead of
 * waiting for a DNS server the namespace cannot reach. Written in place (same inode): a running node's bind mount
 * sees the new peers, which it re-resolves on SIGUSR1. Returns true when it had to create /etc/netns itself.
 */
export function writeNamespaceFiles(netns: string, hostsText: string): boolean {
  const created = !existsSync(ETC_NETNS);
  const dir = join(ETC_NETNS, netns);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "hosts"), hostsText);
  writeFileSync(join(dir, "resolv.conf"), "# Written by the local chain runner: no DNS server; peer names come from /etc/hosts.\n");
  return created;
}

/** Remove /etc/netns itself when it is empty (for a runner that created it). */
export function removeEtcNetnsIfEmpty(): boolean {
  if (!existsSync(ETC_NETNS) || readdirSync(ETC_NETNS).length > 0) return false;
  rmdirSync(ETC_NETNS);
  return true;
}

/** Remove the runner's files in /etc/netns/<ns>/, then the directory if nothing else is in it. */
export function removeNamespaceFiles(netns: string): void {
  const dir = join(ETC_NETNS, netns);
  if (!existsSync(dir)) return;
  for (const file of NETNS_FILES) rmSync(join(dir, file), { force: true });
  if (readdirSync(dir).length === 0) rmdirSync(dir);
}

export interface OwnedObjects {
  readonly namespaces: readonly string[];
  readonly links: readonly string[];
  readonly etcDirs: readonly string[];
}

/** Every namespace, host link and /etc/netns directory whose name carries the tree's id. */
export function listOwned(ip: Ip, id: string): OwnedObjects {
  const etcDirs = existsSync(ETC_NETNS) ? readdirSync(ETC_NETNS).filter((n) => ownedBy(id, n)) : [];
  return { namespaces: listNamespaces(ip).filter((n) => ownedBy(id, n)), links: listLinks(ip).filter((n) => ownedBy(id, n)), etcDirs };
}

/** `ip link delete`, tolerating a link that vanished meanwhile (a namespace's links go away asynchronously). */
function deleteLink(ip: Ip, link: string): void {
  try {
    ip(["link", "delete", link]);
  } catch (error) {
    if (listLinks(ip).includes(link)) throw error;
  }
}

/**
 * Delete everything `listOwned` finds: host veths first (deleting one end removes the pair at once, where a deleted
 * namespace lets the kernel remove its links later), then namespaces, the bridge last, then the /etc/netns files.
 * Processes must be gone.
 */
export function removeOwned(ip: Ip, id: string): OwnedObjects {
  const owned = listOwned(ip, id);
  const bridge = bridgeName(id);
  for (const link of owned.links.filter((l) => l !== bridge)) deleteLink(ip, link);
  for (const ns of owned.namespaces) ip(["netns", "delete", ns]);
  if (owned.links.includes(bridge)) deleteLink(ip, bridge);
  for (const dir of owned.etcDirs) removeNamespaceFiles(dir);
  return owned;
}
