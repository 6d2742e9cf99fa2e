import { Signature, Transaction, getBytes, hexlify } from "ethers";

/**
 * secp256k1 from libsecp256k1 (the `secp256k1` package's prebuilt binding, about 10× ethers' JavaScript signer);
 * the package falls back to a JavaScript implementation where no binding loads, and `signerBackend` says which.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const secp256k1 = require("secp256k1") as typeof import("secp256k1");

export function signerBackend(): "libsecp256k1" | "javascript" {
  try {
    require("secp256k1/bindings");
    return "libsecp256k1";
  } catch {
    return "javascript";
  }
}

export interface TransferTemplate {
  readonly chainId: bigint;
  readonly gasPrice: bigint;
  readonly gasLimit: bigint;
  readonly to: string;
}

/** One pre-signed legacy (EIP-155) transfer of value 0: what FISCO's web3 RPC and Ethereum nodes both accept. */
export function signTransfer(privateKey: Uint8Array, nonce: number, template: TransferTemplate): string {
  const tx = Transaction.from({ type: 0, nonce, to: template.to, value: 0n, data: "0x", gasLimit: template.gasLimit, gasPrice: template.gasPrice, chainId: template.chainId });
  const { signature, recid } = secp256k1.ecdsaSign(getBytes(tx.unsignedHash), privateKey);
  tx.signature = Signature.from({ r: hexlify(signature.subarray(0, 32)), s: hexlify(signature.subarray(32)), yParity: recid as 0 | 1 });
  return tx.serialized;
}

/** A slice of the work: one sender's nonces [from, from + count). */
export interface SignJob {
  readonly privateKey: string;
  readonly from: number;
  readonly count: number;
}

export function signJob(job: SignJob, template: TransferTemplate): string[] {
  const key = getBytes(job.privateKey);
  return Array.from({ length: job.count }, (_, i) => signTransfer(key, job.from + i, template));
}
