import { checkBlockAdvance, checkSyncLag, skipped } from "./checks";
import { converge } from "./converge";
import { Deadline } from "./deadline";
import { NodeApi } from "../fisco/native-api";
import type { ProbeOutcome } from "./native-probe";
import { DEFAULTS, type Context, type VerifyOptions } from "./options";
import { awaitHeights, compareBlockHashes, readProbeEverywhere } from "./after-probe";
import { ProbeLauncher } from "./probe-launcher";
import type { CheckResult, NodeReport, VerificationReport } from "./report";
import { FiscoRpcClient, fiscoTlsContext, type RpcEndpoint } from "../fisco/rpc-client";
import { membership } from "./roles";
import { readHeights, upNodes, type HeightReading, type NodeSnapshot, type UpSnapshot } from "./snapshot";
import { runWeb3Probe } from "./web3-probe";

export type { VerifyOptions } from "./options";

function majorityGenesis(up: readonly UpSnapshot[]): string | null {
  const counts = new Map<string, number>();
  for (const s of up) counts.set(s.sync.genesisHash, (counts.get(s.sync.genesisHash) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
}

/** Expected members first, then the nodes declared outside the group; names must be unique across both. */
function allEndpoints(options: VerifyOptions): RpcEndpoint[] {
  const all = [...options.rpc, ...(options.nonMembers ?? [])];
  const seen = new Set<string>();
  for (const e of all) {
    if (seen.has(e.name)) throw new Error(`node name ${e.name} is given twice (the members and the nodes declared outside the group share one set of names)`);
    seen.add(e.name);
  }
  return all;
}

function nodeReports(options: VerifyOptions, snapshots: readonly NodeSnapshot[], readings: readonly HeightReading[]): NodeReport[] {
  const { roleOf } = membership(upNodes(snapshots));
  const expected = new Set(options.rpc.map((e) => e.name));
  return allEndpoints(options).map((endpoint, i) => {
    const s = snapshots[i];
    const r = readings.find((x) => x.name === endpoint.name);
    const error =
      s.kind === "down"
        ? s.error.message
        : s.kind === "no-group"
          ? `does not serve group ${options.groupId ?? DEFAULTS.groupId}`
          : r && "error" in r
            ? r.error.message
            : null;
    return {
      name: endpoint.name,
      url: endpoint.url,
      nodeId: s.kind === "up" ? s.sync.nodeId : null,
      blockNumber: r && "height" in r ? r.height : s.kind === "up" ? s.sync.blockNumber : null,
      error,
      role: s.kind === "up" ? roleOf(s.sync.nodeId) : null,
      expectedMember: expected.has(endpoint.name),
    };
  });
}

/** After phase 1 and the probe: block production, block hashes, sync lag, and the probe's value on every node. */
async function chainChecks(
  ctx: Context,
  up: readonly UpSnapshot[],
  native: ProbeOutcome | null,
  startedAt: number,
): Promise<{ checks: CheckResult[]; readings: HeightReading[] }> {
  const upApis = ctx.apis.filter((api) => up.some((s) => s.name === api.name));
  if (upApis.length === 0) {
    const none = "not checked: no node answered";
    return { checks: [skipped("block-advance", none), skipped("block-hash", none), skipped("sync-lag", none), skipped("replicated", none)], readings: [] };
  }
  const startHeight = native?.startHeight ?? Math.max(...up.map((s) => s.sync.blockNumber));
  const p = native?.probe;
  const target = p?.blockNumber ?? startHeight + 1;
  const readings = native ? await awaitHeights(ctx, upApis, target) : await readHeights(upApis, ctx.deadline.budget(ctx.requestMs));
  const notRun = native ? "not checked: the native probe did not complete" : "not checked: no probe was sent";
  const [hashes, replicated] = await Promise.all([
    compareBlockHashes(ctx, upApis, readings),
    p ? readProbeEverywhere(ctx, upApis, readings, p.contractAddress, BigInt(p.value), p.blockNumber) : Promise.resolve(skipped("replicated", notRun)),
  ]);
  const advance = native
    ? checkBlockAdvance(startHeight, target, readings, Date.now() - startedAt)
    : skipped("block-advance", "not checked: FISCO seals blocks only for transactions, and no probe was sent");
  return { checks: [advance, hashes, checkSyncLag(readings, ctx.options.maxLag ?? DEFAULTS.maxLag), replicated], readings };
}

function probeCheck(probing: boolean, native: ProbeOutcome | null, up: readonly UpSnapshot[]): CheckResult {
  if (!probing) return skipped("probe", "not run (--no-probe)");
  if (native) return native.check;
  return skipped(
    "probe",
    up.length === 0 ? "not run: no node answered" : "not run: no sealer or observer answered (the probe goes through group members only)",
  );
}

async function web3Check(ctx: Context, probing: boolean): Promise<ProbeOutcome | null> {
  const { web3, web3PrivateKey, probeValue } = ctx.options;
  if (!web3 || web3.length === 0) return null;
  if (!probing) return { check: skipped("web3-probe", "not run (--no-probe)"), probe: null };
  return runWeb3Probe({
    endpoints: web3,
    privateKey: web3PrivateKey,
    deadline: ctx.deadline,
    reserveMs: Math.min(1_000, ctx.reserveMs),
    progress: ctx.progress,
    value: probeValue,
  });
}

function tlsContext(options: VerifyOptions) {
  if (!options.tls) return undefined;
  try {
    return fiscoTlsContext(options.tls);
  } catch (error) {
    throw new Error(`the CA, SDK certificate or key cannot be used: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Prove the deployed network works: every node answers, agrees on group, genesis and sealers, sees its peers, and
 * a real transaction is sealed into a block that every node then holds with the same hash. Never throws for a
 * failing network (only for unusable TLS material); the report says what failed.
 */
export async function runVerification(options: VerifyOptions): Promise<VerificationReport> {
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
  const secureContext = tlsContext(options);
  const endpoints = allEndpoints(options);
  const clients = endpoints.map((endpoint) => new FiscoRpcClient(endpoint, secureContext));
  const ctx: Context = {
    options,
    apis: clients.map((client) => new NodeApi(client, options.groupId ?? DEFAULTS.groupId)),
    expectedMembers: new Set(options.rpc.map((e) => e.name)),
    deadline: new Deadline(timeoutMs),
    reserveMs: Math.min(5_000, timeoutMs * 0.2),
    requestMs: options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs,
    pollMs: options.pollIntervalMs ?? DEFAULTS.pollIntervalMs,
    progress: options.onProgress ?? (() => undefined),
  };
  try {
    const probing = options.probe ?? true;
    const outside = endpoints.length - options.rpc.length;
    ctx.progress(
      `verifying ${endpoints.length} node${endpoints.length === 1 ? "" : "s"}${outside > 0 ? ` (${outside} declared outside the group)` : ""} (timeout ${(timeoutMs / 1000).toFixed(0)} s)`,
    );
    const launcher = new ProbeLauncher(ctx, probing);
    const { snapshots, checks } = await converge(ctx, ctx.reserveMs, (round) => launcher.offer(round));
    const native = await launcher.outcome();
    const up = upNodes(snapshots);
    const after = await chainChecks(ctx, up, native, launcher.startedAt);
    const web3 = await web3Check(ctx, probing);
    const all = [...checks, probeCheck(probing, native, up), ...after.checks, ...(web3 ? [web3.check] : [])];
    const roles = membership(up);
    const heights = after.readings.flatMap((r) => ("height" in r ? [r.height] : []));
    return {
      ok: all.every((c) => c.status !== "fail"),
      checks: all,
      blockHeight: heights.length > 0 ? Math.max(...heights) : null,
      genesisHash: majorityGenesis(up),
      sealers: roles.sealers,
      observers: roles.observers,
      probe: native?.probe ?? null,
      web3Probe: web3?.probe ?? null,
      nodes: nodeReports(options, snapshots, after.readings),
      durationMs: Date.now() - started,
    };
  } finally {
    for (const client of clients) client.close();
  }
}
