import { faultTolerance, totalWeight } from "../chain/consensus";
import type { Sealer } from "../fisco/native-api";
import { short, type CheckName, type CheckResult } from "./report";
import { membership, type NodeRole } from "./roles";
import type { HeightReading, NodeSnapshot, UpSnapshot } from "./snapshot";

/**
 * The verdicts, as pure functions of what the nodes answered. Each returns one CheckResult whose problems name
 * the node at fault.
 */

export type SealerExpectation =
  { readonly kind: "none" } | { readonly kind: "count"; readonly count: number } | { readonly kind: "ids"; readonly ids: readonly string[] };

export function result(name: CheckName, problems: readonly string[], summary: string, failSummary?: string): CheckResult {
  return problems.length === 0 ? { name, status: "pass", summary, problems } : { name, status: "fail", summary: failSummary ?? summary, problems };
}

export const skipped = (name: CheckName, why: string): CheckResult => ({ name, status: "skip", summary: why, problems: [] });

const names = (list: readonly { name: string }[]) => list.map((n) => n.name).join(", ");

/** Largest group first, so the majority is the reference and the odd ones out are reported. */
function groupBy<T>(items: readonly T[], key: (item: T) => string): [string, T[]][] {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return [...groups.entries()].sort((a, b) => b[1].length - a[1].length);
}

export function checkReachable(snapshots: readonly NodeSnapshot[]): CheckResult {
  const down = snapshots.filter((s) => s.kind === "down");
  const answered = snapshots.filter((s) => s.kind !== "down") as Exclude<NodeSnapshot, { kind: "down" }>[];
  const slowest = [...answered].sort((a, b) => b.latencyMs - a.latencyMs)[0];
  const summary = `${answered.length}/${snapshots.length} nodes answered${slowest ? ` (slowest ${slowest.name}, ${slowest.latencyMs} ms)` : ""}`;
  return result(
    "reachable",
    down.map((s) => `${s.name}: ${s.error.message}`),
    summary,
  );
}

export function checkGroup(snapshots: readonly NodeSnapshot[], groupId: string, expectedChainId?: string): CheckResult {
  const up = snapshots.filter((s): s is UpSnapshot => s.kind === "up");
  const problems = snapshots.filter((s) => s.kind === "no-group").map((s) => `${s.name} does not serve group ${groupId} (getGroupInfo answered nothing)`);
  const chains = groupBy(up, (s) => s.group.chainId);
  const reference = expectedChainId ?? chains[0]?.[0];
  for (const [chainId, nodes] of chains) {
    if (chainId !== reference) problems.push(`${names(nodes)} ${nodes.length === 1 ? "is" : "are"} on chain ${chainId}, expected ${reference}`);
  }
  if (up.length === 0 && problems.length === 0) problems.push("no node answered getGroupInfo");
  return result("group", problems, `group ${groupId} of chain ${reference ?? "?"} on ${up.length}/${snapshots.length} nodes`);
}

export function checkGenesis(up: readonly UpSnapshot[]): CheckResult {
  const groups = groupBy(up, (s) => s.sync.genesisHash);
  const reference = groups[0];
  const problems = groups
    .slice(1)
    .map(
      ([hash, nodes]) =>
        `${names(nodes)} ${nodes.length === 1 ? "has" : "have"} genesis ${short(hash)}, ${names(reference[1])} ${reference[1].length === 1 ? "has" : "have"} ${short(reference[0])}`,
    );
  if (up.length === 0) problems.push("no node answered getSyncStatus");
  return result(
    "genesis",
    problems,
    `${reference?.[1].length ?? 0}/${up.length} nodes share genesis ${short(reference?.[0])}`,
    `${groups.length} different genesis hashes among ${up.length} nodes`,
  );
}

const idSet = (ids: readonly string[]) => [...new Set(ids)].sort().join(",");

export function checkSealers(up: readonly UpSnapshot[], expectation: SealerExpectation, nameOf: (id: string) => string | undefined): CheckResult {
  const problems: string[] = [];
  const lists = groupBy(up, (s) => idSet(s.sealers.map((x) => x.nodeId)));
  const reference = up.find((s) => idSet(s.sealers.map((x) => x.nodeId)) === lists[0]?.[0]);
  const sealers: readonly Sealer[] = reference?.sealers ?? [];
  for (const [, nodes] of lists.slice(1)) problems.push(`${names(nodes)} list ${nodes[0].sealers.length} sealers, ${reference?.name} lists ${sealers.length}`);
  for (const s of up) {
    if (idSet(s.consensus.consensusNodeIds) !== idSet(s.sealers.map((x) => x.nodeId))) {
      problems.push(`${s.name}: the consensus engine runs with ${s.consensus.consensusNodeIds.length} sealers, the ledger lists ${s.sealers.length}`);
    }
    if (s.sealers.some((x) => x.nodeId === s.sync.nodeId) && !s.consensus.isConsensusNode)
      problems.push(`${s.name} is a sealer but its consensus engine says it is not a consensus node`);
  }
  let matches = "no expectation given";
  if (expectation.kind === "count") {
    matches = `expected ${expectation.count}`;
    if (sealers.length !== expectation.count) problems.push(`the chain has ${sealers.length} sealers, expected ${expectation.count}`);
  } else if (expectation.kind === "ids") {
    matches = `matches the ${expectation.ids.length} expected node ids`;
    const have = new Set(sealers.map((s) => s.nodeId));
    const want = new Set(expectation.ids);
    for (const id of want) if (!have.has(id)) problems.push(`expected sealer ${short(id)} is not in the sealer list`);
    for (const id of have) if (!want.has(id)) problems.push(`sealer ${short(id)}${nameOf(id) ? ` (${nameOf(id)})` : ""} was not expected`);
  }
  if (up.length === 0) problems.push("no node answered getSealerList");
  const weighted = sealers.map((s) => ({ name: s.nodeId, weight: s.weight }));
  const summary = `${sealers.length} sealers, total weight ${totalWeight(weighted)}, tolerates ${faultTolerance(weighted)} faulty; ${matches}`;
  return result("sealers", problems, summary);
}

const ROLE_ORDER: readonly NodeRole[] = ["sealer", "observer", "not a member"];

/**
 * Each answering node's role on chain (from the sealer and observer lists most nodes hold). A node expected to be a
 * member (`expectedMembers`: endpoints.json rpc.nodes, or --rpc) that is neither sealer nor observer fails; a node
 * declared outside the group (rpc.nonMembers) may have any role, and is reported when it is already a member.
 * The observer list must be the same on every node, as the sealer list must.
 */
export function checkMembers(up: readonly UpSnapshot[], expectedMembers: ReadonlySet<string>, groupId: string): CheckResult {
  const book = membership(up);
  const problems: string[] = [];
  const lists = groupBy(up, (s) => idSet(s.observers));
  const reference = up.find((s) => idSet(s.observers) === lists[0]?.[0]);
  for (const [, nodes] of lists.slice(1))
    problems.push(
      `${names(nodes)} ${nodes.length === 1 ? "lists" : "list"} ${nodes[0].observers.length} observers, ${reference?.name} lists ${reference?.observers.length}`,
    );
  const byRole = new Map<NodeRole, string[]>();
  const notes: string[] = [];
  for (const s of up) {
    const role = book.roleOf(s.sync.nodeId);
    byRole.set(role, [...(byRole.get(role) ?? []), s.name]);
    if (expectedMembers.has(s.name) && role === "not a member") {
      problems.push(
        `${s.name} (${short(s.sync.nodeId)}) is expected to be a member of ${groupId} but is neither a sealer nor an observer on chain: a free node may sync, but it cannot serve clients (the sealers drop the transactions it forwards)`,
      );
    }
    if (!expectedMembers.has(s.name) && role !== "not a member")
      notes.push(`${s.name}, declared outside the group, is ${role === "sealer" ? "a sealer" : "an observer"} on chain`);
  }
  if (up.length === 0) problems.push("no node answered getSealerList and getObserverList");
  const roles = ROLE_ORDER.filter((r) => byRole.has(r)).map((r) => `${r}: ${byRole.get(r)!.join(", ")}`);
  return result("members", problems, [roles.join("; "), ...notes].filter(Boolean).join("; "));
}

export function checkPeers(up: readonly UpSnapshot[], extraIds: readonly string[], nameOf: (id: string) => string | undefined): CheckResult {
  const everyone = [...new Set([...up.map((s) => s.sync.nodeId), ...extraIds])];
  const problems: string[] = [];
  for (const id of everyone) {
    const blind = up.filter((s) => s.sync.nodeId !== id && !s.sync.peers.some((p) => p.nodeId === id));
    if (blind.length === 0) continue;
    const who = nameOf(id) ? `${nameOf(id)} (${short(id)})` : `expected sealer ${short(id)} (none of the nodes answering)`;
    problems.push(`${who} is not a peer of ${names(blind)}`);
  }
  if (up.length === 0) problems.push("no node answered getSyncStatus");
  return result(
    "peers",
    problems,
    `every node sees the ${Math.max(0, everyone.length - 1)} others`,
    `${problems.length} of ${everyone.length} nodes are missing from peer lists`,
  );
}

const heightsOf = (readings: readonly HeightReading[]) => readings.filter((r): r is Extract<HeightReading, { height: number }> => "height" in r);

/** Block production: every node got to `target` (the probe's block, or startHeight + 1) within the wait. */
export function checkBlockAdvance(startHeight: number, target: number, readings: readonly HeightReading[], waitedMs: number): CheckResult {
  const heights = heightsOf(readings);
  const problems = readings.filter((r) => "error" in r).map((r) => `${r.name}: ${"error" in r ? r.error.message : ""}`);
  const highest = Math.max(startHeight, ...heights.map((r) => r.height));
  const seconds = (waitedMs / 1000).toFixed(1);
  if (heights.length > 0 && highest === startHeight) {
    problems.unshift(`height stayed at ${startHeight} on every node for ${seconds} s with a transaction pending: the chain is not sealing blocks`);
  } else {
    for (const r of heights) if (r.height < target) problems.push(`${r.name} is at block ${r.height}, did not reach block ${target} within ${seconds} s`);
  }
  return result(
    "block-advance",
    problems,
    `height ${startHeight} → ${highest}, all ${heights.length} nodes reached block ${target} in ${seconds} s`,
    `height ${startHeight} → ${highest} in ${seconds} s`,
  );
}

export type HashReading = { readonly name: string; readonly hash: string | null } | { readonly name: string; readonly error: string };

export function checkBlockHash(height: number, readings: readonly HashReading[]): CheckResult {
  const problems: string[] = [];
  const known = readings.filter((r): r is { name: string; hash: string } => "hash" in r && r.hash !== null);
  for (const r of readings) {
    if ("error" in r) problems.push(`${r.name}: ${r.error}`);
    else if (r.hash === null) problems.push(`${r.name} does not have block ${height}`);
  }
  const groups = groupBy(known, (r) => r.hash);
  for (const [hash, nodes] of groups.slice(1))
    problems.push(
      `${names(nodes)} ${nodes.length === 1 ? "has" : "have"} block ${height} = ${short(hash)}, ${names(groups[0][1])} ${groups[0][1].length === 1 ? "has" : "have"} ${short(groups[0][0])}`,
    );
  if (readings.length === 0) problems.push("no node to compare");
  return result("block-hash", problems, `block ${height} is ${short(groups[0]?.[0])} on all ${known.length} nodes`, `block ${height} differs or is missing`);
}

export function checkSyncLag(readings: readonly HeightReading[], maxLag: number): CheckResult {
  const heights = heightsOf(readings);
  const highest = Math.max(...heights.map((r) => r.height));
  const lags = heights.map((r) => ({ name: r.name, height: r.height, lag: highest - r.height }));
  const worst = Math.max(0, ...lags.map((l) => l.lag));
  const problems = lags.filter((l) => l.lag > maxLag).map((l) => `${l.name} is ${l.lag} blocks behind (at ${l.height}, highest ${highest})`);
  for (const r of readings) if ("error" in r) problems.push(`${r.name}: ${r.error.message}`);
  return result("sync-lag", problems, `max lag ${worst} blocks (bound ${maxLag})`);
}

export type ValueReading = { readonly name: string; readonly value: bigint } | { readonly name: string; readonly error: string };

export function checkReplicated(expected: bigint, block: number, readings: readonly ValueReading[]): CheckResult {
  const problems = readings.flatMap((r) =>
    "error" in r ? [`${r.name}: ${r.error}`] : r.value === expected ? [] : [`${r.name} returns get() = ${r.value}, expected ${expected}`],
  );
  const agreeing = readings.length - problems.length;
  return result(
    "replicated",
    problems,
    `get() = ${expected} on all ${readings.length} nodes at block ≥ ${block}`,
    `${agreeing}/${readings.length} nodes return get() = ${expected}`,
  );
}
