import { Signature, Transaction, getBytes, hexlify } from "ethers";
import { signTransaction, type TransactionData } from "../fisco/native-tx";
import { fastSigner } from "../fisco/secp256k1";
import { BENCH_KEYS, encodeWrite } from "./contract/bench-contract";

/**
 * What the signing workers make, one transaction per global index i: sender keys[i mod K], that sender's
 * (⌊i / K⌋)-th transaction. Native: a v0 FISCO transaction calling Bench.write(i mod 1024, i + 1) with nonce
 * `<noncePrefix><i>`, signed with fisco/ (tars, keccak, secp256k1 on libsecp256k1 when it loads). Web3: a legacy
 * EIP-155 transfer of value 0 with nonce firstNonce[s] + ⌊i / K⌋, byte for byte what ethers' Wallet writes.
 */
export type SignTemplate = NativeTemplate | Web3Template;

export interface NativeTemplate {
  readonly kind: "native";
  readonly chainId: string;
  readonly groupId: string;
  /** Valid while the chain is below it: the height when the chunk was signed + 500. */
  readonly blockLimit: number;
  /** The benchmark contract, lowercase hex without 0x, as hashed and sent. */
  readonly to: string;
  /** Random per run, so nonces never collide with an earlier run's (the node keeps them for block_limit blocks). */
  readonly noncePrefix: string;
}

export interface Web3Template {
  readonly kind: "web3";
  readonly chainId: bigint;
  readonly gasPrice: bigint;
  readonly gasLimit: bigint;
  readonly to: string;
  /** eth_getTransactionCount(sender, "pending") of each sender. */
  readonly firstNonces: readonly number[];
}

/** A slice of the work: global indices [start, start + count), signed with `keys` (0x-hex, one per sender). */
export interface SignJob {
  readonly keys: readonly string[];
  readonly start: number;
  readonly count: number;
  readonly template: SignTemplate;
}

/** The native transaction for index i (fields only; signing is separate). */
export function nativeTransaction(template: NativeTemplate, i: number): TransactionData {
  return {
    version: 0,
    chainId: template.chainId,
    groupId: template.groupId,
    blockLimit: template.blockLimit,
    nonce: `${template.noncePrefix}${i}`,
    to: template.to,
    input: encodeWrite(i % BENCH_KEYS, i + 1),
    abi: "",
  };
}

/** Sign a job: 0x-hex transactions in index order. */
export function signJob(job: SignJob): string[] {
  return job.template.kind === "native" ? signNative(job, job.template) : signWeb3(job, job.template);
}

function signNative(job: SignJob, template: NativeTemplate): string[] {
  const signers = job.keys.map(fastSigner);
  return Array.from({ length: job.count }, (_, n) => {
    const i = job.start + n;
    return signTransaction(nativeTransaction(template, i), signers[i % signers.length], { attribute: 1 }).hex;
  });
}

function signWeb3(job: SignJob, template: Web3Template): string[] {
  const signers = job.keys.map(fastSigner);
  const k = job.keys.length;
  return Array.from({ length: job.count }, (_, n) => {
    const i = job.start + n;
    return signTransfer(signers[i % k].sign, template.firstNonces[i % k] + Math.floor(i / k), template);
  });
}

/** One pre-signed legacy (EIP-155) transfer of value 0: what FISCO's web3 RPC and Ethereum nodes both accept. */
export function signTransfer(sign: (hash: Uint8Array) => Uint8Array, nonce: number, template: Omit<Web3Template, "kind" | "firstNonces">): string {
  const tx = Transaction.from({
    type: 0,
    nonce,
    to: template.to,
    value: 0n,
    data: "0x",
    gasLimit: template.gasLimit,
    gasPrice: template.gasPrice,
    chainId: template.chainId,
  });
  const signature = sign(getBytes(tx.unsignedHash));
  tx.signature = Signature.from({ r: hexlify(signature.subarray(0, 32)), s: hexlify(signature.subarray(32, 64)), yParity: signature[64] as 0 | 1 });
  return tx.serialized;
}
