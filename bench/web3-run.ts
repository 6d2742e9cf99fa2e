import { setTimeout as sleep } from "node:timers/promises";
import { NodeApi } from "../fisco/native-api";
import { fundAccounts, type FundingReport } from "../fisco/funding";
import { FiscoRpcClient, fiscoTlsContext } from "../fisco/rpc-client";
import { fastSigner, signerBackend } from "../fisco/secp256k1";
import { BatchRpcClient, MAX_BATCH, type RpcCall } from "./batch-client";
import { chainRate, readBlocks, type ChainRate } from "./chain-tps";
import { INTERRUPTED, requestErrorKind, rpcErrorKind } from "./errors";
import { feedPlan, type BenchHooks, type FundingOptions, type Web3Options } from "./options";
import { buildReport, fundingSummary, type BenchReport } from "./report";
import { addressOf, senderKeys } from "./senders";
import { SignPool, TxFeed } from "./sign-pool";
import type { Web3Template } from "./signer";
import { Tracker } from "./tracker";

const REQUEST_TIMEOUT_MS = 10_000;

/** A sender whose balance is 0, on a chain whose web3 RPC refuses it (FISCO v3.16.4). */
export class UnfundedSenders extends Error {}

/** web3 answers for one call per address, in batches of at most 8. */
async function perAddress(client: BatchRpcClient, method: string, addresses: readonly string[], extra: readonly unknown[]): Promise<unknown[]> {
  const out: unknown[] = [];
  for (let i = 0; i < addresses.length; i += MAX_BATCH) {
    const calls = addresses.slice(i, i + MAX_BATCH).map((a) => ({ method, params: [a, ...extra] }));
    for (const outcome of await client.batch(calls, REQUEST_TIMEOUT_MS)) {
      if (!outcome.ok) throw new Error(`${method} failed: ${outcome.message}`);
      out.push(outcome.result);
    }
  }
  return out;
}

/** Fail fast when a sender has balance 0: say so, and how to fund it. */
async function checkBalances(client: BatchRpcClient, addresses: readonly string[]): Promise<void> {
  const balances = (await perAddress(client, "eth_getBalance", addresses, ["latest"])).map((b) => BigInt(b as string));
  const empty = addresses.filter((_, i) => balances[i] === 0n);
  if (empty.length === 0) return;
  throw new UnfundedSenders(
    `${empty.length} of ${addresses.length} senders have balance 0 (${empty.slice(0, 3).join(", ")}${empty.length > 3 ? ", …" : ""}): FISCO v3.16.4's web3 RPC refuses ` +
      "their transactions even at gas price 0. Fund them with --fund --admin-key <genesis admin key file> and the native RPC (--sdk-dir, or --rpc --ca --cert --key): " +
      "it switches on feature_balance and feature_balance_precompiled and calls addBalance, signed by the admin. On FISCO v3.9–v3.16.3, which accept zero-balance senders, pass --no-balance-check.",
  );
}

/** --fund: give every sender a balance through native governance transactions signed by the admin key. */
async function fund(funding: FundingOptions, addresses: readonly string[], log?: (line: string) => void): Promise<FundingReport> {
  const secure = funding.native.tls ? fiscoTlsContext(funding.native.tls) : undefined;
  const api = new NodeApi(new FiscoRpcClient(funding.native.rpc[0], secure), funding.native.groupId);
  try {
    const info = await api.groupInfo(REQUEST_TIMEOUT_MS);
    if (!info) throw new Error(`${api.name} does not serve group ${funding.native.groupId}`);
    const chain = { chainId: funding.native.chainId ?? info.chainId, groupId: funding.native.groupId };
    const report = await fundAccounts(api, chain, fastSigner(funding.adminKey), addresses, funding.amount, 60_000);
    log?.(`[bench] funding: ${fundingSummary(report)}`);
    for (const change of report.changes) log?.(`[bench] funding: block ${change.blockNumber}: ${change.action} (${change.txHash})`);
    return report;
  } finally {
    api.client.close();
  }
}

/** Chain id, gas price and every sender's next nonce; the template the workers sign with. */
async function prepare(options: Web3Options, client: BatchRpcClient | undefined, addresses: readonly string[]): Promise<Web3Template> {
  const base = { kind: "web3" as const, gasLimit: options.gasLimit, to: options.to };
  if (!client) return { ...base, chainId: options.chainId ?? 20200n, gasPrice: 0n, firstNonces: addresses.map(() => 0) };
  const chainId = options.chainId ?? BigInt((await client.call("eth_chainId", [], REQUEST_TIMEOUT_MS)) as string);
  const gasPrice = BigInt((await client.call("eth_gasPrice", [], REQUEST_TIMEOUT_MS)) as string);
  const nonces = await perAddress(client, "eth_getTransactionCount", addresses, ["pending"]);
  return { ...base, chainId, gasPrice, firstNonces: nonces.map((n) => Number(BigInt(n as string))) };
}

/**
 * `concurrency` workers in parallel, each taking the next batch of raw transactions, endpoints round-robin, with each
 * sender's transactions one at a time in nonce order: transaction i (sender i mod K) leaves only once i − K, the same
 * sender's previous nonce, has been answered, and a batch holds consecutive transactions, at most K, so never two of
 * one sender. fisco-bcos v3.16.4's web3 RPC handles the requests of a batch, and concurrent batches, in parallel, and
 * its txpool refuses a nonce below the sender's nonce on chain (Web3NonceChecker); seen on a real node: with nonces
 * n … n+7 of one sender in a batch, some came back NonceCheckFail and others were accepted but never sealed.
 */
async function send(
  feed: TxFeed,
  clients: readonly BatchRpcClient[],
  track: Tracker,
  submittedAt: Map<string, number>,
  options: Web3Options,
  senders: number,
  signal?: AbortSignal,
): Promise<void> {
  const stopAt = options.durationMs === null ? Infinity : Date.now() + options.durationMs;
  const batchSize = Math.max(1, Math.min(options.batch, senders));
  /** Per transaction index, settled once the batch holding it has been answered (or failed). */
  const answered = new Map<number, Promise<void>>();
  let taken = 0;
  let round = 0;
  /** The next batch: consecutive transactions; workers take theirs one after another, so none comes between. */
  let taking: Promise<unknown> = Promise.resolve();
  const takeBatch = async (): Promise<{ txs: string[]; first: number }> => {
    const head = await feed.next();
    if (head === undefined) return { txs: [], first: taken };
    const txs = [head];
    for (let tx; txs.length < batchSize && typeof (tx = feed.take()) === "string";) txs.push(tx);
    const first = taken;
    taken += txs.length;
    return { txs, first };
  };
  const nextBatch = (): Promise<{ txs: string[]; first: number }> => {
    const batch = taking.then(takeBatch);
    taking = batch.catch(() => undefined);
    return batch;
  };
  const worker = async () => {
    while (!signal?.aborted && Date.now() < stopAt) {
      const { txs: batch, first } = await nextBatch();
      if (batch.length === 0) return;
      let release!: () => void;
      const done = new Promise<void>((resolve) => (release = resolve));
      const indices = batch.map((_, k) => first + k);
      for (const i of indices) answered.set(i, done);
      const previous = indices.map((i) => answered.get(i - senders)).filter((p): p is Promise<void> => p !== undefined);
      await Promise.all(previous);
      for (const i of indices) answered.delete(i - senders);
      const client = clients[round++ % clients.length];
      const calls: RpcCall[] = batch.map((tx) => ({ method: "eth_sendRawTransaction", params: [tx] }));
      const at = track.submit(batch.length);
      try {
        const outcomes = await client.batch(calls, REQUEST_TIMEOUT_MS);
        outcomes.forEach((outcome) => {
          if (!outcome.ok) return track.fail(rpcErrorKind(outcome));
          submittedAt.set(String(outcome.result).toLowerCase(), at);
          track.accepted++;
        });
      } catch (error) {
        track.fail(requestErrorKind(error), batch.length);
      } finally {
        track.settle(batch.length);
        release();
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
}

/** Poll receipts of accepted transactions in batches until every one is in, time runs out, or the run is stopped. */
async function followReceipts(
  clients: readonly BatchRpcClient[],
  track: Tracker,
  submittedAt: Map<string, number>,
  sendingDone: () => boolean,
  options: Web3Options,
  signal?: AbortSignal,
): Promise<void> {
  let deadline = Infinity;
  for (let round = 0; !signal?.aborted; round++) {
    if (sendingDone() && deadline === Infinity) deadline = Date.now() + options.timeoutMs;
    if (sendingDone() && submittedAt.size === 0) return;
    if (Date.now() > deadline) break;
    const pending = [...submittedAt.keys()].slice(0, options.concurrency * MAX_BATCH);
    const chunks = Array.from({ length: Math.ceil(pending.length / MAX_BATCH) }, (_, i) => pending.slice(i * MAX_BATCH, (i + 1) * MAX_BATCH));
    await Promise.all(chunks.map((hashes, i) => pollChunk(clients[(round + i) % clients.length], hashes, track, submittedAt)));
    await sleep(options.pollMs);
  }
  track.fail(signal?.aborted ? INTERRUPTED : "no receipt before the timeout", submittedAt.size);
  submittedAt.clear();
}

async function pollChunk(client: BatchRpcClient, hashes: readonly string[], track: Tracker, submittedAt: Map<string, number>): Promise<void> {
  let outcomes;
  try {
    outcomes = await client.batch(
      hashes.map((h) => ({ method: "eth_getTransactionReceipt", params: [h] })),
      REQUEST_TIMEOUT_MS,
    );
  } catch {
    return; // a failed poll is retried on the next round; the receipt timeout catches what never comes
  }
  outcomes.forEach((outcome, i) => {
    const receipt = outcome.ok ? (outcome.result as { status?: string; blockNumber?: string } | null) : null;
    const at = receipt ? submittedAt.get(hashes[i]) : undefined;
    if (!receipt || at === undefined) return;
    submittedAt.delete(hashes[i]);
    if (receipt.status === "0x0") track.fail("reverted");
    else track.confirm(at, receipt.blockNumber === undefined ? undefined : Number(BigInt(receipt.blockNumber)));
  });
}

/** The chain's rate from eth_getBlockByNumber (web3 timestamps are whole seconds: FISCO divides by 1000). */
async function readChainRate(client: BatchRpcClient, track: Tracker): Promise<ChainRate | null> {
  if (track.firstBlock === undefined || track.lastBlock === undefined) return null;
  const blocks = await readBlocks(track.firstBlock, track.lastBlock, async (n) => {
    const block = (await client.call("eth_getBlockByNumber", [`0x${n.toString(16)}`, false], REQUEST_TIMEOUT_MS)) as {
      timestamp: string;
      transactions: unknown[];
    };
    return { number: n, timestamp: Number(BigInt(block.timestamp)) * 1000, transactions: block.transactions.length };
  });
  return chainRate(blocks);
}

/**
 * The web3 load generator: optionally fund the senders (--fund), refuse zero-balance senders otherwise, pre-sign legacy
 * transfers on worker threads, send them in JSON-RPC batches with bounded concurrency, follow their receipts.
 */
export async function runWeb3(options: Web3Options, hooks: BenchHooks = {}): Promise<BenchReport> {
  const track = new Tracker();
  const keys = senderKeys(options);
  const addresses = keys.map(addressOf);
  const clients = options.dryRun ? [] : options.web3.map((url) => new BatchRpcClient(url, options.concurrency));
  const pool = new SignPool(options.threads);
  const ticker = hooks.onProgress && setInterval(() => hooks.onProgress!(track.progress()), hooks.progressMs ?? 1000);
  try {
    track.phase = "funding";
    const funding = options.fund && !options.dryRun ? await fund(options.fund, addresses, hooks.log) : null;
    if (!options.fund && options.balanceCheck && clients[0]) await checkBalances(clients[0], addresses);
    track.phase = "preparing";
    const template = await prepare(options, clients[0], addresses);
    const feed = new TxFeed(pool, keys, feedPlan(options), () => template);
    track.phase = "signing";
    await (options.dryRun ? feed.drain() : feed.fill());
    track.signed = pool.signed;
    if (!options.dryRun && !hooks.signal?.aborted) {
      track.phase = "sending";
      const submittedAt = new Map<string, number>();
      let done = false;
      const following = followReceipts(clients, track, submittedAt, () => done, options, hooks.signal);
      await send(feed, clients, track, submittedAt, options, keys.length, hooks.signal);
      done = true;
      track.phase = "receipts";
      await following;
      track.signed = pool.signed;
    }
    track.phase = "chain";
    const chain = clients[0] && !hooks.signal?.aborted ? await readChainRate(clients[0], track) : null;
    track.phase = "done";
    const signing = { backend: signerBackend(), threads: pool.threads, txPerSecond: pool.rate, signed: pool.signed };
    return buildReport({
      mode: "web3",
      options,
      track,
      keys,
      chainId: template.chainId.toString(),
      interrupted: Boolean(hooks.signal?.aborted),
      signing,
      chain,
      funding,
      connections: clients.length,
    });
  } finally {
    if (ticker) clearInterval(ticker);
    clients.forEach((c) => c.close());
    await pool.close();
  }
}
