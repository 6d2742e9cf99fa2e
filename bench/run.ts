import { availableParallelism } from "node:os";
import { RpcError } from "../fisco/rpc-client";
import { setTimeout as sleep } from "node:timers/promises";
import { BatchRpcClient, MAX_BATCH, type RpcCall } from "./batch-client";
import { countError, rpcErrorKind, type ErrorCounts } from "./errors";
import { addressOf, deriveSenderKeys } from "./senders";
import { preSign, type Sender } from "./sign-pool";
import { signerBackend, type TransferTemplate } from "./signer";
import { summarize, type LatencySummary } from "./stats";

export interface BenchOptions {
  readonly web3: readonly string[];
  readonly txs: number;
  readonly concurrency: number;
  readonly senders: number;
  readonly batch: number;
  readonly dryRun: boolean;
  /** Funded sender keys; otherwise `senders` keys derived from `seed`. */
  readonly keys?: readonly string[];
  readonly seed: string;
  /** Stop following receipts this long after the last submission. */
  readonly timeoutMs: number;
  readonly pollMs: number;
  readonly chainId?: bigint;
  readonly gasLimit: bigint;
  /** Recipient of the zero-value transfers. */
  readonly to: string;
  readonly threads?: number;
}

export interface BenchProgress {
  readonly phase: "signing" | "sending" | "receipts" | "done";
  readonly signed: number;
  readonly submitted: number;
  readonly confirmed: number;
  readonly errors: number;
  readonly elapsedMs: number;
}

export interface BenchReport {
  readonly dryRun: boolean;
  readonly interrupted: boolean;
  readonly txs: number;
  readonly senders: readonly string[];
  readonly signing: { readonly backend: string; readonly threads: number; readonly txPerSecond: number; readonly seconds: number };
  readonly submitted: number;
  readonly accepted: number;
  readonly confirmed: number;
  /** accepted / (last submission − first submission). */
  readonly submittedTps: number | null;
  /** confirmed / (last receipt − first submission). */
  readonly confirmedTps: number | null;
  /** Submit-to-receipt, in milliseconds (receipts are polled every pollMs: that bounds the resolution). */
  readonly latencyMs: LatencySummary;
  readonly errors: ErrorCounts;
  /** Failed transactions / transactions attempted. */
  readonly errorRate: number;
  readonly chainId: string;
}

interface Tracking {
  readonly submittedAt: Map<string, number>;
  readonly latencies: number[];
  readonly errors: ErrorCounts;
  firstSubmit?: number;
  lastSubmit?: number;
  lastReceipt?: number;
  submitted: number;
  accepted: number;
  sendingDone: boolean;
}

const REQUEST_TIMEOUT_MS = 10_000;

/** The load generator: pre-sign, send in batches with bounded concurrency, follow receipts, report. */
export async function runBench(options: BenchOptions, hooks: { signal?: AbortSignal; onProgress?: (p: BenchProgress) => void; progressMs?: number } = {}): Promise<BenchReport> {
  const started = Date.now();
  const keys = options.keys ?? deriveSenderKeys(options.seed, options.senders);
  const clients = options.web3.map((url) => new BatchRpcClient(url, options.concurrency));
  const track: Tracking = { submittedAt: new Map(), latencies: [], errors: {}, submitted: 0, accepted: 0, sendingDone: false };
  let phase: BenchProgress["phase"] = "signing";
  let signedCount = 0;
  const progress = (): BenchProgress => ({ phase, signed: signedCount, submitted: track.submitted, confirmed: track.latencies.length, errors: errorTotal(track.errors), elapsedMs: Date.now() - started });
  const ticker = hooks.onProgress && setInterval(() => hooks.onProgress!(progress()), hooks.progressMs ?? 1000);
  try {
    const { chainId, senders, template } = await prepare(options, keys, clients);
    const signed = await preSign(senders, options.txs, template, options.threads ?? availableParallelism());
    signedCount = signed.raw.length;
    const signing = { backend: signerBackend(), threads: signed.threads, txPerSecond: signed.raw.length / signed.signingSeconds, seconds: signed.seconds };
    if (!options.dryRun && !hooks.signal?.aborted) {
      phase = "sending";
      const following = followReceipts(clients, track, options, hooks.signal);
      await send(signed.raw, clients, track, options, hooks.signal);
      track.sendingDone = true;
      phase = "receipts";
      await following;
    }
    phase = "done";
    return report(options, track, signing, chainId, keys, Boolean(hooks.signal?.aborted));
  } finally {
    if (ticker) clearInterval(ticker);
    clients.forEach((c) => c.close());
  }
}

async function prepare(options: BenchOptions, keys: readonly string[], clients: readonly BatchRpcClient[]) {
  const addresses = keys.map(addressOf);
  if (options.dryRun) {
    const chainId = options.chainId ?? 20200n;
    return { chainId, senders: keys.map((privateKey) => ({ privateKey, nonce: 0 })), template: { chainId, gasPrice: 0n, gasLimit: options.gasLimit, to: options.to } };
  }
  const [client] = clients;
  const chainId = options.chainId ?? BigInt((await client.call("eth_chainId", [], REQUEST_TIMEOUT_MS)) as string);
  const gasPrice = BigInt((await client.call("eth_gasPrice", [], REQUEST_TIMEOUT_MS)) as string);
  const nonces: number[] = [];
  for (let i = 0; i < addresses.length; i += MAX_BATCH) {
    const calls = addresses.slice(i, i + MAX_BATCH).map((a) => ({ method: "eth_getTransactionCount", params: [a, "pending"] }));
    for (const outcome of await client.batch(calls, REQUEST_TIMEOUT_MS)) {
      if (!outcome.ok) throw new Error(`eth_getTransactionCount failed: ${outcome.message}`);
      nonces.push(Number(BigInt(outcome.result as string)));
    }
  }
  const senders: Sender[] = keys.map((privateKey, i) => ({ privateKey, nonce: nonces[i] }));
  const template: TransferTemplate = { chainId, gasPrice, gasLimit: options.gasLimit, to: options.to };
  return { chainId, senders, template };
}

/** C senders in parallel, each taking the next batch of ≤ 8 raw transactions, endpoints round-robin. */
async function send(raw: readonly string[], clients: readonly BatchRpcClient[], track: Tracking, options: BenchOptions, signal?: AbortSignal): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (!signal?.aborted) {
      const start = next;
      if (start >= raw.length) return;
      next += options.batch;
      const slice = raw.slice(start, start + options.batch);
      const client = clients[(start / options.batch) % clients.length];
      const calls: RpcCall[] = slice.map((tx) => ({ method: "eth_sendRawTransaction", params: [tx] }));
      const at = Date.now();
      track.firstSubmit ??= at;
      track.submitted += slice.length;
      try {
        const outcomes = await client.batch(calls, REQUEST_TIMEOUT_MS);
        outcomes.forEach((outcome) => {
          if (!outcome.ok) return countError(track.errors, rpcErrorKind(outcome));
          track.submittedAt.set(String(outcome.result).toLowerCase(), at);
          track.accepted++;
        });
      } catch (error) {
        countError(track.errors, transportKind(error), slice.length);
      }
      track.lastSubmit = Date.now();
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
}

/** Poll receipts of accepted transactions in batches until every one is in, time runs out, or the run is stopped. */
async function followReceipts(clients: readonly BatchRpcClient[], track: Tracking, options: BenchOptions, signal?: AbortSignal): Promise<void> {
  let deadline = Infinity;
  let round = 0;
  while (!signal?.aborted) {
    if (track.sendingDone && deadline === Infinity) deadline = Date.now() + options.timeoutMs;
    const pending = [...track.submittedAt.keys()].slice(0, options.concurrency * MAX_BATCH);
    if (track.sendingDone && track.submittedAt.size === 0) return;
    if (Date.now() > deadline) break;
    const chunks = Array.from({ length: Math.ceil(pending.length / MAX_BATCH) }, (_, i) => pending.slice(i * MAX_BATCH, (i + 1) * MAX_BATCH));
    await Promise.all(chunks.map((hashes, i) => pollChunk(clients[(round + i) % clients.length], hashes, track)));
    round++;
    await sleep(options.pollMs);
  }
  countError(track.errors, signal?.aborted ? "not followed: interrupted" : "no receipt before the timeout", track.submittedAt.size);
  track.submittedAt.clear();
}

async function pollChunk(client: BatchRpcClient, hashes: readonly string[], track: Tracking): Promise<void> {
  let outcomes;
  try {
    outcomes = await client.batch(hashes.map((h) => ({ method: "eth_getTransactionReceipt", params: [h] })), REQUEST_TIMEOUT_MS);
  } catch {
    return; // a failed poll is retried on the next round; the receipt timeout catches what never comes
  }
  const now = Date.now();
  outcomes.forEach((outcome, i) => {
    const receipt = outcome.ok ? (outcome.result as { status?: string } | null) : null;
    if (!receipt) return;
    const submittedAt = track.submittedAt.get(hashes[i]);
    if (submittedAt === undefined) return;
    track.submittedAt.delete(hashes[i]);
    track.lastReceipt = now;
    if (receipt.status === "0x0") countError(track.errors, "reverted");
    else track.latencies.push(now - submittedAt);
  });
}

function transportKind(error: unknown): string {
  return error instanceof RpcError ? `transport: ${error.kind}` : `transport: ${(error as Error).message.slice(0, 60)}`;
}

const errorTotal = (errors: ErrorCounts) => Object.values(errors).reduce((a, b) => a + b, 0);

function report(options: BenchOptions, track: Tracking, signing: BenchReport["signing"], chainId: bigint, keys: readonly string[], interrupted: boolean): BenchReport {
  const rate = (count: number, from?: number, to?: number) => (from !== undefined && to !== undefined && to > from ? (count * 1000) / (to - from) : null);
  const attempted = options.dryRun ? 0 : track.submitted;
  return {
    dryRun: options.dryRun,
    interrupted,
    txs: options.txs,
    senders: keys.map(addressOf),
    signing,
    submitted: track.submitted,
    accepted: track.accepted,
    confirmed: track.latencies.length,
    submittedTps: rate(track.accepted, track.firstSubmit, track.lastSubmit),
    confirmedTps: rate(track.latencies.length, track.firstSubmit, track.lastReceipt),
    latencyMs: summarize(track.latencies),
    errors: track.errors,
    errorRate: attempted ? errorTotal(track.errors) / attempted : 0,
    chainId: chainId.toString(),
  };
}
