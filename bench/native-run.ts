import { randomBytes } from "node:crypto";
import { NodeApi, normalizeHex, parseReceipt } from "../fisco/native-api";
import { randomNonce, signTransaction } from "../fisco/native-tx";
import { decodeUint256 } from "../fisco/precompiled";
import { RpcConnection } from "../fisco/rpc-connection";
import { FiscoRpcClient, fiscoTlsContext, RpcError, type RpcEndpoint } from "../fisco/rpc-client";
import { fastSigner, signerBackend } from "../fisco/secp256k1";
import { BLOCK_LIMIT_RANGE } from "../fisco/funding";
import { chainRate, readBlocks, type ChainRate } from "./chain-tps";
import { BENCH_CREATION_CODE, encodeWrites } from "./contract/bench-contract";
import { INTERRUPTED, receiptErrorKind, requestErrorKind } from "./errors";
import { feedPlan, type BenchHooks, type NativeAccess, type NativeOptions } from "./options";
import { buildReport, type BenchReport } from "./report";
import { senderKeys } from "./senders";
import { SignPool, TxFeed } from "./sign-pool";
import type { NativeTemplate } from "./signer";
import { Tracker } from "./tracker";

/** Control calls (deploy, heights, blocks): 30 s each at most. */
const CONTROL_TIMEOUT_MS = 30_000;
/** Connections opened at once before sending (each a TLS handshake). */
const OPEN_PARALLEL = 32;
/**
 * A lane whose node cannot be reached waits before its next transaction, 250 ms doubling to 4 s, so that a node that
 * is down costs a few errors rather than a tight loop of refused connections (seen on real nodes: a crashed node
 * turned 376 confirmed transactions into 79,040 "connection refused" errors in 15 s).
 */
const UNREACHABLE_BACKOFF_MS = { first: 250, max: 4_000 };

/** Resolves after `ms`, or at once when the run is stopped. */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done);
  });
}

interface NativeContext {
  readonly api: NodeApi;
  readonly chainId: string;
  readonly groupId: string;
}

/** The chain id (endpoints.json's, or getGroupInfo's) through the first member. @throws when it does not serve the group */
async function connectControl(access: NativeAccess, secure: ReturnType<typeof fiscoTlsContext> | undefined): Promise<NativeContext> {
  const api = new NodeApi(new FiscoRpcClient(access.rpc[0], secure), access.groupId);
  const info = await api.groupInfo(CONTROL_TIMEOUT_MS);
  if (!info) throw new Error(`${api.name} does not serve group ${access.groupId}`);
  return { api, chainId: access.chainId ?? info.chainId, groupId: access.groupId };
}

/** Deploy the benchmark contract from the first sender; its address, lowercase hex without 0x. */
async function deployBench(ctx: NativeContext, key: string): Promise<string> {
  const height = await ctx.api.blockNumber(CONTROL_TIMEOUT_MS);
  const data = {
    version: 0 as const,
    chainId: ctx.chainId,
    groupId: ctx.groupId,
    blockLimit: height + BLOCK_LIMIT_RANGE,
    nonce: randomNonce(randomBytes),
    to: "",
    input: Buffer.from(BENCH_CREATION_CODE.slice(2), "hex"),
    abi: "",
  };
  const receipt = await ctx.api.sendTransaction(signTransaction(data, fastSigner(key), { attribute: 1 }).hex, CONTROL_TIMEOUT_MS);
  if (receipt.status !== 0 || !receipt.contractAddress)
    throw new Error(`deploying the benchmark contract failed: status ${receipt.status}${receipt.message ? ` (${receipt.message})` : ""}`);
  return receipt.contractAddress;
}

/** `count` connections spread round-robin over the members, all opened (TLS handshakes done) before sending starts. */
async function openLanes(endpoints: readonly RpcEndpoint[], count: number, secure: ReturnType<typeof fiscoTlsContext> | undefined): Promise<RpcConnection[]> {
  const lanes = Array.from({ length: count }, (_, i) => new RpcConnection(endpoints[i % endpoints.length], secure));
  for (let i = 0; i < lanes.length; i += OPEN_PARALLEL) await Promise.all(lanes.slice(i, i + OPEN_PARALLEL).map((l) => l.open(CONTROL_TIMEOUT_MS)));
  return lanes;
}

/** One lane: take the next transaction, send it, wait for the receipt sendTransaction answers, record, repeat. */
async function drive(
  lane: RpcConnection,
  feed: TxFeed,
  track: Tracker,
  group: string,
  options: NativeOptions,
  stopAt: number,
  signal?: AbortSignal,
): Promise<void> {
  let backoff = 0;
  while (!signal?.aborted && Date.now() < stopAt) {
    if (backoff > 0) await pause(Math.min(backoff, stopAt - Date.now()), signal);
    if (signal?.aborted || Date.now() >= stopAt) return;
    const tx = feed.take() ?? (await feed.next());
    if (tx === undefined || signal?.aborted) return;
    const at = track.submit();
    try {
      const receipt = parseReceipt(await lane.request("sendTransaction", `["${group}","","${tx}",false]`, options.timeoutMs), lane.name, "sendTransaction");
      track.accepted++;
      backoff = 0;
      if (receipt.status === 0) track.confirm(at, receipt.blockNumber);
      else track.fail(receiptErrorKind(receipt.status, receipt.message));
    } catch (error) {
      track.fail(signal?.aborted ? INTERRUPTED : requestErrorKind(error));
      const unreachable = error instanceof RpcError && error.kind === "connect";
      backoff = unreachable ? Math.min(backoff * 2 || UNREACHABLE_BACKOFF_MS.first, UNREACHABLE_BACKOFF_MS.max) : 0;
    } finally {
      track.settle();
    }
  }
}

/** The chain's rate over the blocks that hold the run's confirmed transactions; null when it cannot be read. */
async function readChainRate(api: NodeApi, track: Tracker): Promise<ChainRate | null> {
  if (track.firstBlock === undefined || track.lastBlock === undefined) return null;
  const blocks = await readBlocks(track.firstBlock, track.lastBlock, async (n) => {
    const block = await api.blockSummary(n, CONTROL_TIMEOUT_MS);
    return { number: block.number, timestamp: block.timestamp, transactions: block.transactions.length };
  });
  return chainRate(blocks);
}

/** writes() of the benchmark contract after the run: how many writes the chain executed. */
async function contractWrites(api: NodeApi, contract: string): Promise<string | null> {
  const result = await api.callContract(contract, encodeWrites(), CONTROL_TIMEOUT_MS);
  return result.status === 0 ? (decodeUint256(result.output)?.toString() ?? null) : null;
}

/**
 * `read` through the control node, else through each other member in turn (the control node may have gone down
 * during the run); null, with the reason logged, when no member answers, so that the report is still printed.
 */
async function readFromAnyMember<T>(
  ctx: NativeContext,
  access: NativeAccess,
  secure: ReturnType<typeof fiscoTlsContext> | undefined,
  what: string,
  read: (api: NodeApi) => Promise<T>,
  log?: (line: string) => void,
): Promise<T | null> {
  const failures: string[] = [];
  const others = access.rpc.filter((e) => e.url !== ctx.api.client.endpoint.url);
  for (const endpoint of [null, ...others]) {
    const api = endpoint ? new NodeApi(new FiscoRpcClient(endpoint, secure), ctx.groupId) : ctx.api;
    try {
      return await read(api);
    } catch (error) {
      failures.push(`${api.name}: ${(error as Error).message}`);
    } finally {
      if (endpoint) api.client.close();
    }
  }
  log?.(`${what} not read, no member answered (${failures.join("; ")})`);
  return null;
}

/** One native run's moving parts: the control API, the signing pool and feed, the connections. */
class NativeRun {
  readonly track = new Tracker();
  readonly keys: readonly string[];
  readonly pool: SignPool;
  readonly secure: ReturnType<typeof fiscoTlsContext> | undefined;
  ctx: NativeContext | undefined;
  lanes: RpcConnection[] = [];
  contract = "0".repeat(40);

  constructor(
    readonly options: NativeOptions,
    readonly hooks: BenchHooks,
  ) {
    this.keys = senderKeys(options);
    this.pool = new SignPool(options.threads);
    this.secure = options.native.tls ? fiscoTlsContext(options.native.tls) : undefined;
  }

  get aborted(): boolean {
    return Boolean(this.hooks.signal?.aborted);
  }

  /** Connect, deploy the contract, and sign the first chunk (everything, for a --dry-run). */
  async prepare(): Promise<TxFeed> {
    if (!this.options.dryRun) {
      this.ctx = await connectControl(this.options.native, this.secure);
      this.contract = normalizeHex(await deployBench(this.ctx, this.keys[0]));
    }
    const height = this.ctx ? await this.ctx.api.blockNumber(CONTROL_TIMEOUT_MS) : 0;
    const base = {
      kind: "native" as const,
      chainId: this.ctx?.chainId ?? "chain0",
      groupId: this.options.native.groupId,
      to: this.contract,
      noncePrefix: randomNonce(randomBytes).slice(0, 20),
    };
    const template = (): NativeTemplate => ({ ...base, blockLimit: Math.max(height, this.track.lastBlock ?? 0) + BLOCK_LIMIT_RANGE });
    const feed = new TxFeed(this.pool, this.keys, feedPlan(this.options), template);
    this.track.phase = "signing";
    await (this.options.dryRun ? feed.drain() : feed.fill());
    this.track.signed = this.pool.signed;
    return feed;
  }

  /** Open the connections, then drive them until --txs, --duration or Ctrl-C. */
  async send(feed: TxFeed): Promise<void> {
    this.track.phase = "connecting";
    this.lanes = await openLanes(this.options.native.rpc, this.options.concurrency, this.secure);
    this.track.phase = "sending";
    const stopAt = this.options.durationMs === null ? Infinity : Date.now() + this.options.durationMs;
    const signed = setInterval(() => (this.track.signed = this.pool.signed), 250);
    try {
      await Promise.all(this.lanes.map((lane) => drive(lane, feed, this.track, this.options.native.groupId, this.options, stopAt, this.hooks.signal)));
    } finally {
      clearInterval(signed);
      this.track.signed = this.pool.signed;
    }
  }

  /** The chain's rate and the contract's writes(), then the report. */
  async finish(): Promise<BenchReport> {
    this.track.phase = "chain";
    const ctx = this.aborted ? undefined : this.ctx;
    const read = <T>(what: string, fn: (api: NodeApi) => Promise<T>) =>
      ctx ? readFromAnyMember(ctx, this.options.native, this.secure, what, fn, this.hooks.log) : Promise.resolve(null);
    const chain = await read("the chain's rate (blocks)", (api) => readChainRate(api, this.track));
    const writes = await read("the contract's writes()", (api) => contractWrites(api, this.contract));
    this.track.phase = "done";
    const signing = { backend: signerBackend(), threads: this.pool.threads, txPerSecond: this.pool.rate, signed: this.pool.signed };
    const contract = this.ctx ? `0x${this.contract}` : null;
    return buildReport({
      mode: "native",
      options: this.options,
      track: this.track,
      keys: this.keys,
      chainId: this.ctx?.chainId ?? "chain0",
      interrupted: this.aborted,
      signing,
      chain,
      contract,
      contractWrites: writes,
      connections: this.lanes.length,
    });
  }

  /** Close the connections (also what Ctrl-C does: requests in flight end as interrupted). */
  readonly stop = () => this.lanes.forEach((l) => l.close());

  async close(): Promise<void> {
    this.stop();
    this.ctx?.api.client.close();
    await this.pool.close();
  }
}

/**
 * The native load generator: deploy the benchmark contract, pre-sign native transactions calling it on worker
 * threads, send them over `concurrency` keep-alive mutual-TLS connections spread across the group members (one
 * sendTransaction in flight on each: the node answers with the receipt once the transaction is in a block), then
 * read the chain's own rate from the blocks. Stops at --txs, --duration, or Ctrl-C (a partial report).
 * @throws when the control node is unreachable or refuses us, or the deploy fails
 */
export async function runNative(options: NativeOptions, hooks: BenchHooks = {}): Promise<BenchReport> {
  const run = new NativeRun(options, hooks);
  const ticker = hooks.onProgress && setInterval(() => hooks.onProgress!(run.track.progress()), hooks.progressMs ?? 1000);
  hooks.signal?.addEventListener("abort", run.stop);
  try {
    const feed = await run.prepare();
    if (!options.dryRun && !run.aborted) await run.send(feed);
    return await run.finish();
  } finally {
    hooks.signal?.removeEventListener("abort", run.stop);
    if (ticker) clearInterval(ticker);
    await run.close();
  }
}
