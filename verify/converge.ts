import { checkGenesis, checkGroup, checkMembers, checkPeers, checkReachable, checkSealers, skipped } from "./checks";
import { sleep } from "./deadline";
import type { NodeApi } from "../fisco/native-api";
import { DEFAULTS, type Context } from "./options";
import type { CheckResult } from "./report";
import { snapshotNode, upNodes, type NodeSnapshot, type UpSnapshot } from "./snapshot";

/** Phase 1: snapshots of every node, repeated while the only problems are ones that may heal. */

export function structuralChecks(ctx: Context, snapshots: readonly NodeSnapshot[]): CheckResult[] {
  const up = upNodes(snapshots);
  const nameOf = nodeNamer(up);
  const expect = ctx.options.expect ?? { kind: "none" };
  const groupId = ctx.options.groupId ?? DEFAULTS.groupId;
  const group = checkGroup(snapshots, groupId, ctx.options.expectedChainId);
  if (up.length === 0) {
    const none = "not checked: no node answered";
    return [
      checkReachable(snapshots),
      snapshots.some((s) => s.kind === "no-group") ? group : skipped("group", none),
      skipped("genesis", none),
      skipped("sealers", none),
      skipped("members", none),
      skipped("peers", none),
    ];
  }
  return [
    checkReachable(snapshots),
    group,
    checkGenesis(up),
    checkSealers(up, expect, nameOf),
    checkMembers(up, ctx.expectedMembers, groupId),
    checkPeers(up, expect.kind === "ids" ? expect.ids : [], nameOf),
  ];
}

function nodeNamer(up: readonly UpSnapshot[]): (id: string) => string | undefined {
  const byId = new Map(up.map((s) => [s.sync.nodeId, s.name]));
  return (id) => byId.get(id);
}

/** Worth polling again only when every failure may still heal: nodes still starting, peers still connecting. */
function worthWaiting(snapshots: readonly NodeSnapshot[], checks: readonly CheckResult[]): boolean {
  const failing = checks.filter((c) => c.status === "fail").map((c) => c.name);
  if (failing.length === 0) return false;
  const transientOnly = failing.every((name) => name === "reachable" || name === "peers");
  return transientOnly && snapshots.every((s) => s.kind !== "down" || s.error.transient);
}

/**
 * Poll until the network looks whole, or only permanent problems remain, or the time for it is up. `onRound` sees
 * each round's per-node snapshots as they are taken, so the probe can start on the first node that answers.
 */
export async function converge(
  ctx: Context,
  untilRemainingMs: number,
  onRound: (round: readonly Promise<NodeSnapshot>[]) => void,
): Promise<{ snapshots: NodeSnapshot[]; checks: CheckResult[] }> {
  // Every round gets the same request timeout (a node that never answers must not hold up the probe for most of
  // the budget: a quarter of it at most), and a round only starts when that much time is left for it.
  const roundMs = Math.min(ctx.requestMs, Math.max(1_000, ctx.deadline.totalMs / 4));
  let lastLine = "";
  for (let n = 0; ; n++) {
    const timeout = ctx.deadline.budget(roundMs, untilRemainingMs);
    const round = n === 0 ? await headStart(ctx.apis, timeout) : ctx.apis.map((api) => snapshotNode(api, timeout));
    onRound(round);
    const snapshots = await Promise.all(round);
    const checks = structuralChecks(ctx, snapshots);
    if (!worthWaiting(snapshots, checks) || ctx.deadline.remaining() < untilRemainingMs + ctx.pollMs + roundMs) return { snapshots, checks };
    const first = checks.find((c) => c.status === "fail");
    const line = `waiting (${Math.ceil(ctx.deadline.remaining() / 1000)} s left): ${first?.name}: ${first?.problems[0] ?? first?.summary}`;
    if (line.replace(/\(\d+ s left\)/, "") !== lastLine.replace(/\(\d+ s left\)/, "")) ctx.progress(line);
    if (n === 0 && snapshots.length > 0 && snapshots.every((s) => s.kind === "down" && /does not resolve/.test(s.error.message))) {
      // Retried, since a pod's Service name may resolve only once the pod exists; but from a laptop it never will.
      ctx.progress(
        "no node's name resolves here: still retrying (names of a cluster's Services resolve only inside it); from outside, give reachable URLs with --rpc (local:up prints them)",
      );
    }
    lastLine = line;
    await sleep(ctx.pollMs);
  }
}

/**
 * The first round: the first node gets a short head start (its TLS handshake is not slowed down by the other N − 1
 * running at once), so the probe can go out through it while the rest connect.
 */
async function headStart(apis: readonly NodeApi[], timeoutMs: number): Promise<Promise<NodeSnapshot>[]> {
  if (apis.length === 0) return [];
  const first = snapshotNode(apis[0], timeoutMs);
  await Promise.race([first, sleep(250)]);
  return [first, ...apis.slice(1).map((api) => snapshotNode(api, timeoutMs))];
}
