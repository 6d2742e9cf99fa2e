import type { RpcEndpoint, TlsMaterial } from "../fisco/rpc-client";
import type { BenchProgress } from "./tracker";

/** What a run sends and for how long; shared by the native and the web3 path. */
export interface CommonOptions {
  /** Transactions to send (--txs), or null for a --duration run. */
  readonly txs: number | null;
  /** --duration in milliseconds, or null for a --txs run. */
  readonly durationMs: number | null;
  /** Requests in flight: native sendTransaction calls (one per connection); web3 batches. */
  readonly concurrency: number;
  readonly senders: number;
  /** Sender keys (0x-hex); otherwise `senders` keys derived from `seed`. */
  readonly keys?: readonly string[];
  readonly seed: string;
  /** Native: how long one sendTransaction may wait for its receipt; web3: how long receipts are followed after the last submission. */
  readonly timeoutMs: number;
  /** Signing threads (default: one per core). */
  readonly threads?: number;
  /** Transactions signed per chunk; a --txs run up to this size is signed completely before sending starts. */
  readonly chunk?: number;
  /** Sign only, send nothing: reports the signing rate. */
  readonly dryRun: boolean;
}

/** The node's native RPC, as the verifier reaches it: group members only (endpoints.json rpc.nodes). */
export interface NativeAccess {
  readonly rpc: readonly RpcEndpoint[];
  readonly tls?: TlsMaterial;
  readonly groupId: string;
  /** endpoints.json's chain id; otherwise getGroupInfo's. */
  readonly chainId?: string;
}

/** The default: FISCO native transactions calling the benchmark contract over the native RPC. */
export interface NativeOptions extends CommonOptions {
  readonly mode: "native";
  readonly native: NativeAccess;
}

/** Funding of the web3 senders through native governance transactions (--fund). */
export interface FundingOptions {
  readonly native: NativeAccess;
  /** The genesis admin account's key (0x-hex). */
  readonly adminKey: string;
  /** Wei credited to each sender whose balance is 0. */
  readonly amount: bigint;
}

/** Legacy EIP-155 transfers of value 0 through web3 JSON-RPC batches. */
export interface Web3Options extends CommonOptions {
  readonly mode: "web3";
  readonly web3: readonly string[];
  readonly batch: number;
  readonly pollMs: number;
  readonly chainId?: bigint;
  readonly gasLimit: bigint;
  /** Recipient of the transfers. */
  readonly to: string;
  readonly fund?: FundingOptions;
  /** Refuse zero-balance senders before sending (FISCO v3.16.4 would refuse each of their transactions). */
  readonly balanceCheck: boolean;
}

export type BenchOptions = NativeOptions | Web3Options;

/** Callbacks of a run: Ctrl-C (abort), progress every `progressMs`, and what it says about changes it made. */
export interface BenchHooks {
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: BenchProgress) => void;
  readonly progressMs?: number;
  readonly log?: (line: string) => void;
}

/** Transactions signed per chunk by default: 200,000 native transactions are about 120 MB of hex. */
export const DEFAULT_CHUNK = 200_000;

/** With --duration, signing runs ahead of sending by this many transactions (a second or two of signing). */
export const DURATION_CHUNK = 20_000;

/** The signing plan of a run: a --txs run up to the chunk size is signed completely before sending. */
export function feedPlan(options: CommonOptions): { total: number; chunk: number } {
  const total = options.txs ?? Infinity;
  return { total, chunk: Math.min(total, options.chunk ?? (options.txs === null ? DURATION_CHUNK : DEFAULT_CHUNK)) };
}
