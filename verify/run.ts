import { checkBlockAdvance, checkBlockHash, checkGenesis, checkGroup, checkPeers, checkReachable, checkReplicated, checkSealers, checkSyncLag, skipped, type HashReading, type SealerExpectation, type ValueReading } from "./checks";
import { Deadline, sleep } from "./deadline";
import { NodeApi } from "./native-api";
import { runNativeProbe, type ProbeOutcome } from "./native-probe";
import { decodeGet, encodeGet } from "./probe/probe";
import type { CheckResult, NodeReport, VerificationReport } from "./report";
import { FiscoRpcClient, type RpcEndpoint, type TlsMaterial } from "./rpc-client";
import { readHeights, snapshotNetwork, upNodes, type HeightReading, type NodeSnapshot, type UpSnapshot } from "./snapshot";
import { runWeb3Probe } from "./web3-probe";

/** Everything runVerification needs; the CLI builds it from flags, a Pulumi hook from stack outputs. */
export interface VerifyOptions {
  /** Native RPC endpoints, one per node (https:// with `tls`, or http:// when the node runs enable_ssl=false). */
  readonly rpc: readonly RpcEndpoint[];
  /** Chain CA, SDK certificate and key as PEM text. */
  readonly tls?: TlsMaterial;
  /** Default group0. */
  readonly groupId?: string;
  /** When known (endpoints.json), the chain id every node must report. */
  readonly expectedChainId?: string;
  /** Web3 endpoints: when given, an ethers probe runs as well. */
  readonly web3?: readonly RpcEndpoint[];
  /** Funded key for the web3 probe (0x-hex). Never logged or reported. */
  readonly web3PrivateKey?: string;
  readonly expect?: SealerExpectation;
  /** Overall budget; default 300 s. */
  readonly timeoutMs?: number;
  /** Largest allowed height difference between nodes; default 10 (the SDK's SYNC_KEEP_UP_THRESHOLD). */
  readonly maxLag?: number;
  /** Send the test transactions; default true. */
  readonly probe?: boolean;
  /** Progress while waiting, one line at a time (the CLI writes them to stderr). */
  readonly onProgress?: (line: string) => void;
  /** Per-request cap; default 10 s. */
  readonly requestTimeoutMs?: number;
  /** Pause between polls; default 500 ms. */
  readonly pollIntervalMs?: number;
  /** Tests only: the value the probes write (0 makes them revert). */
  readonly probeValue?: bigint;
}

const DEFAULTS = { groupId: "group0", timeoutMs: 300_000, maxLag: 10, requestTimeoutMs: 10_000, pollIntervalMs: 500 };

interface Context {
  readonly options: VerifyOptions;
  readonly apis: readonly NodeApi[];
  readonly deadline: Deadline;
  /** Kept back at the end for the final readings. */
  readonly reserveMs: number;
  readonly requestMs: number;
  readonly pollMs: number;
  readonly progress: (line: string) => void;
}

function structuralChecks(ctx: Context, snapshots: readonly NodeSnapshot[]): CheckResult[] {
  const up = upNodes(snapshots);
  const nameOf = nodeNamer(up);
  const expect = ctx.options.expect ?? { kind: "none" };
  const group = checkGroup(snapshots, ctx.options.groupId ?? DEFAULTS.groupId, ctx.options.expectedChainId);
  if (up.length === 0) {
    const none = "not checked: no node answered";
    return [checkReachable(snapshots), snapshots.some((s) => s.kind === "no-group") ? group : skipped("group", none), skipped("genesis", none), skipped("sealers", none), skipped("peers", none)];
  }
  return [checkReachable(snapshots), group, checkGenesis(up), checkSealers(up, expect, nameOf), checkPeers(up, expect.kind === "ids" ? expect.ids : [], nameOf)];
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

/** Phase 1: poll until the network looks whole, or only permanent problems remain, or the time for it is up. */
async function converge(ctx: Context, untilRemainingMs: number): Promise<{ snapshots: NodeSnapshot[]; checks: CheckResult[] }> {
  let lastLine = "";
  for (;;) {
    const snapshots = await snapshotNetwork(ctx.apis, ctx.deadline.budget(ctx.requestMs, untilRemainingMs));
    const checks = structuralChecks(ctx, snapshots);
    if (!worthWaiting(snapshots, checks) || ctx.deadline.remaining() <= untilRemainingMs + ctx.pollMs) return { snapshots, checks };
    const first = checks.find((c) => c.status === "fail");
    const line = `waiting (${Math.ceil(ctx.deadline.remaining() / 1000)} s left): ${first?.name}: ${first?.problems[0] ?? first?.summary}`;
    if (line.replace(/\(\d+ s left\)/, "") !== lastLine.replace(/\(\d+ s left\)/, "")) ctx.progress(line);
    lastLine = line;
    await sleep(ctx.pollMs);
  }
}

/** Phase 3: wait until every answering node has block `target`, then read heights once more. */
async function awaitHeights(ctx: Context, apis: readonly NodeApi[], target: number): Promise<HeightReading[]> {
  for (;;) {
    const readings = await readHeights(apis, ctx.deadline.budget(ctx.requestMs, ctx.reserveMs / 2));
    const behind = readings.filter((r) => !("height" in r) || r.height < target);
    if (behind.length === 0 || ctx.deadline.remaining() <= ctx.reserveMs) return readings;
    ctx.progress(`waiting for block ${target} on ${behind.map((r) => r.name).join(", ")}`);
    await sleep(Math.min(ctx.pollMs, 200));
  }
}

async function compareBlockHashes(ctx: Context, apis: readonly NodeApi[], readings: readonly HeightReading[]): Promise<CheckResult> {
  const heights = readings.filter((r): r is { name: string; height: number } => "height" in r).map((r) => r.height);
  if (heights.length === 0) return skipped("block-hash", "not checked: no node reported its height");
  const height = Math.min(...heights);
  const hashes = await Promise.all(
    apis.map(async (api): Promise<HashReading> => {
      try {
        return { name: api.name, hash: await api.blockHash(height, ctx.deadline.budget(ctx.requestMs)) };
      } catch (error) {
        return { name: api.name, error: (error as Error).message };
      }
    }),
  );
  return checkBlockHash(height, hashes);
}

async function readProbeEverywhere(ctx: Context, apis: readonly NodeApi[], heights: readonly HeightReading[], contract: string, value: bigint, block: number): Promise<CheckResult> {
  const readings = await Promise.all(
    apis.map(async (api): Promise<ValueReading> => {
      const h = heights.find((r) => r.name === api.name);
      if (h && "height" in h && h.height < block) return { name: api.name, error: `does not have block ${block} yet (at ${h.height})` };
      try {
        const out = await api.callContract(contract, encodeGet(), ctx.deadline.budget(ctx.requestMs));
        if (out.status !== 0) return { name: api.name, error: `get() answered status ${out.status}` };
        return { name: api.name, value: decodeGet(out.output) };
      } catch (error) {
        return { name: api.name, error: (error as Error).message };
      }
    }),
  );
  return checkReplicated(value, block, readings);
}

function majorityChainId(up: readonly UpSnapshot[], expected?: string): string {
  if (expected) return expected;
  const counts = new Map<string, number>();
  for (const s of up) counts.set(s.group.chainId, (counts.get(s.group.chainId) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? "chain0";
}

function majoritySealers(up: readonly UpSnapshot[]): UpSnapshot["sealers"] {
  const key = (s: UpSnapshot) => s.sealers.map((x) => `${x.nodeId}:${x.weight}`).sort().join(",");
  const counts = new Map<string, number>();
  for (const s of up) counts.set(key(s), (counts.get(key(s)) ?? 0) + 1);
  const best = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  return up.find((s) => key(s) === best)?.sealers ?? [];
}

function majorityGenesis(up: readonly UpSnapshot[]): string | null {
  const counts = new Map<string, number>();
  for (const s of up) counts.set(s.sync.genesisHash, (counts.get(s.sync.genesisHash) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
}

function nodeReports(options: VerifyOptions, snapshots: readonly NodeSnapshot[], readings: readonly HeightReading[]): NodeReport[] {
  return options.rpc.map((endpoint, i) => {
    const s = snapshots[i];
    const r = readings.find((x) => x.name === endpoint.name);
    const error = s.kind === "down" ? s.error.message : s.kind === "no-group" ? `does not serve group ${options.groupId ?? DEFAULTS.groupId}` : r && "error" in r ? r.error.message : null;
    return {
      name: endpoint.name,
      url: endpoint.url,
      nodeId: s.kind === "up" ? s.sync.nodeId : null,
      blockNumber: r && "height" in r ? r.height : s.kind === "up" ? s.sync.blockNumber : null,
      error,
    };
  });
}

/**
 * Prove the deployed network works: every node answers, agrees on group, genesis and sealers, sees its peers, and
 * a real transaction is sealed into a block that every node then holds with the same hash. Never throws for a
 * failing network; the report says what failed.
 */
export async function runVerification(options: VerifyOptions): Promise<VerificationReport> {
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
  const deadline = new Deadline(timeoutMs);
  const clients = options.rpc.map((endpoint) => new FiscoRpcClient(endpoint, options.tls));
  const ctx: Context = {
    options,
    apis: clients.map((client) => new NodeApi(client, options.groupId ?? DEFAULTS.groupId)),
    deadline,
    reserveMs: Math.min(5_000, timeoutMs * 0.2),
    requestMs: options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs,
    pollMs: options.pollIntervalMs ?? DEFAULTS.pollIntervalMs,
    progress: options.onProgress ?? (() => undefined),
  };
  try {
    const probing = options.probe ?? true;
    const probeShare = probing ? Math.min(60_000, timeoutMs * 0.3) : 0;
    ctx.progress(`verifying ${options.rpc.length} nodes (timeout ${(timeoutMs / 1000).toFixed(0)} s)`);
    const { snapshots, checks } = await converge(ctx, ctx.reserveMs + probeShare);
    const up = upNodes(snapshots);
    const upApis = ctx.apis.filter((api) => up.some((s) => s.name === api.name));
    const startHeight = Math.max(-1, ...up.map((s) => s.sync.blockNumber));
    const probeStarted = Date.now();

    let native: ProbeOutcome | null = null;
    if (!probing) checks.push(skipped("probe", "not run (--no-probe)"));
    else if (upApis.length === 0) checks.push(skipped("probe", "not run: no node answered"));
    else {
      native = await runNativeProbe({ apis: upApis, chainId: majorityChainId(up, options.expectedChainId), groupId: options.groupId ?? DEFAULTS.groupId, deadline, reserveMs: ctx.reserveMs, progress: ctx.progress, value: options.probeValue });
      checks.push(native.check);
    }

    const target = native?.probe?.blockNumber ?? startHeight + 1;
    const readings = upApis.length > 0 ? (native ? await awaitHeights(ctx, upApis, target) : await readHeights(upApis, deadline.budget(ctx.requestMs))) : [];
    if (upApis.length === 0) {
      for (const name of ["block-advance", "block-hash", "sync-lag"] as const) checks.push(skipped(name, "not checked: no node answered"));
    } else {
      checks.push(native ? checkBlockAdvance(startHeight, target, readings, Date.now() - probeStarted) : skipped("block-advance", "not checked: FISCO seals blocks only for transactions, and no probe was sent"));
      checks.push(await compareBlockHashes(ctx, upApis, readings));
      checks.push(checkSyncLag(readings, options.maxLag ?? DEFAULTS.maxLag));
    }
    const p = native?.probe;
    checks.push(p ? await readProbeEverywhere(ctx, upApis, readings, p.contractAddress, BigInt(p.value), p.blockNumber) : skipped("replicated", "not checked: the native probe did not complete"));

    let web3: ProbeOutcome | null = null;
    if (options.web3 && options.web3.length > 0) {
      web3 = probing
        ? await runWeb3Probe({ endpoints: options.web3, privateKey: options.web3PrivateKey, deadline, reserveMs: Math.min(1_000, ctx.reserveMs), progress: ctx.progress, value: options.probeValue })
        : { check: skipped("web3-probe", "not run (--no-probe)"), probe: null };
      checks.push(web3.check);
    }

    const heights = readings.flatMap((r) => ("height" in r ? [r.height] : []));
    return {
      ok: checks.every((c) => c.status !== "fail"),
      checks,
      blockHeight: heights.length > 0 ? Math.max(...heights) : null,
      genesisHash: majorityGenesis(up),
      sealers: majoritySealers(up),
      probe: native?.probe ?? null,
      web3Probe: web3?.probe ?? null,
      nodes: nodeReports(options, snapshots, readings),
      durationMs: Date.now() - started,
    };
  } finally {
    for (const client of clients) client.close();
  }
}
