import { SigningKey, keccak256 } from "ethers";
import { accountFromPrivateKeyHex } from "../chain/keys";
import { encodeInt, encodeStruct, optional } from "./tars";

/**
 * A FISCO BCOS 3.x native transaction (`bcostars::TransactionData`, tars tags 1–14), as sent to the native RPC's
 * `sendTransaction`. The version decides which fields the hash covers (v0: 1–8, v1: + 9–13, v2: + 14).
 * See ../../shared/fisco-native-transactions.md §1–§3.
 */
export interface TransactionData {
  readonly version: 0 | 1 | 2;
  readonly chainId: string;
  readonly groupId: string;
  /** Valid while current block < blockLimit ≤ current + block_limit (1000 by default); the SDKs use current + 500. */
  readonly blockLimit: number | bigint;
  /** Any string, unique per transaction; hashed as its raw bytes. */
  readonly nonce: string;
  /** "" deploys; otherwise the address exactly as hashed (the node strips an optional 0x before executing). */
  readonly to: string;
  readonly input: Uint8Array;
  readonly abi: string;
  /** v ≥ 1 only: empty or 0x-hex strings. */
  readonly value?: string;
  readonly gasPrice?: string;
  readonly gasLimit?: number | bigint;
  readonly maxFeePerGas?: string;
  readonly maxPriorityFeePerGas?: string;
  /** v ≥ 2 only. */
  readonly extension?: Uint8Array;
}

/** How to lay out defaults on the wire. The node hashes decoded values, so both styles give the same hash. */
export interface EncodeStyle {
  /** go-sdk writes version 0 explicitly (`1c`); FISCO's C++ and Java SDKs leave it out. */
  readonly writeZeroVersion?: boolean;
}

export interface Envelope {
  readonly data: TransactionData;
  readonly dataHash: Uint8Array;
  /** secp256k1: r ‖ s ‖ v with v the raw recovery id 0 or 1 (never 27/28). */
  readonly signature: Uint8Array;
  /** Bit flags; 1 = EVM ABI codec. Not hashed or signed. */
  readonly attribute?: number;
  /** Free text, not hashed or signed. */
  readonly extraData?: string;
}

export interface SignedTransaction {
  /** 0x-hex of the whole tars-encoded Transaction: the third sendTransaction parameter. */
  readonly hex: string;
  /** 0x-hex keccak256 of the §2 preimage: the hash the node reports back. */
  readonly hash: string;
  /** 0x-address recovered by the node: last 20 bytes of keccak256(X ‖ Y). */
  readonly sender: string;
}

const HEX_FIELD = /^(0x[0-9a-fA-F]*)?$/;

function checkFields(tx: TransactionData): void {
  if (tx.version >= 1) {
    for (const name of ["value", "gasPrice", "maxFeePerGas", "maxPriorityFeePerGas"] as const) {
      const v = tx[name] ?? "";
      if (!HEX_FIELD.test(v)) throw new Error(`${name} must be empty or 0x-hex for a v${tx.version} transaction (got ${JSON.stringify(v)})`);
    }
  }
}

/** The TransactionData struct body (tags 1–14), without the surrounding struct head. */
export function encodeTransactionData(tx: TransactionData, style: EncodeStyle = {}): Buffer {
  checkFields(tx);
  return Buffer.concat([
    style.writeZeroVersion ? encodeInt(1, tx.version) : optional.int(1, tx.version),
    optional.string(2, tx.chainId),
    optional.string(3, tx.groupId),
    optional.int(4, tx.blockLimit),
    optional.string(5, tx.nonce),
    optional.string(6, tx.to),
    optional.bytes(7, tx.input),
    optional.string(8, tx.abi),
    optional.string(9, tx.value ?? ""),
    optional.string(10, tx.gasPrice ?? ""),
    optional.int(11, tx.gasLimit ?? 0),
    optional.string(12, tx.maxFeePerGas ?? ""),
    optional.string(13, tx.maxPriorityFeePerGas ?? ""),
    optional.bytes(14, tx.extension ?? new Uint8Array()),
  ]);
}

function int32BE(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeInt32BE(value);
  return out;
}

function int64BE(value: number | bigint): Buffer {
  const out = Buffer.alloc(8);
  out.writeBigInt64BE(BigInt(value));
  return out;
}

/** What FISCO hashes (TarsHashable.h): the fields' raw bytes concatenated, no lengths, numbers big-endian. */
export function hashPreimage(tx: TransactionData): Buffer {
  checkFields(tx);
  const parts: Buffer[] = [
    int32BE(tx.version),
    Buffer.from(tx.chainId),
    Buffer.from(tx.groupId),
    int64BE(tx.blockLimit),
    Buffer.from(tx.nonce),
    Buffer.from(tx.to),
    Buffer.from(tx.input),
    Buffer.from(tx.abi),
  ];
  if (tx.version >= 1) {
    parts.push(Buffer.from(tx.value ?? ""), Buffer.from(tx.gasPrice ?? ""), int64BE(tx.gasLimit ?? 0));
    parts.push(Buffer.from(tx.maxFeePerGas ?? ""), Buffer.from(tx.maxPriorityFeePerGas ?? ""));
  }
  if (tx.version >= 2) parts.push(Buffer.from(tx.extension ?? new Uint8Array()));
  return Buffer.concat(parts);
}

/** The transaction hash on a non-SM chain: keccak256 of the preimage. */
export function transactionHash(tx: TransactionData): Buffer {
  return Buffer.from(keccak256(hashPreimage(tx)).slice(2), "hex");
}

/** secp256k1 over the 32-byte hash itself (no prefix, no re-hash), RFC 6979, low s: r ‖ s ‖ recovery id. */
export function signHash(hash: Uint8Array, privateKeyHex: string): Buffer {
  const signature = new SigningKey(privateKeyHex).sign(hash);
  return Buffer.concat([Buffer.from(signature.r.slice(2), "hex"), Buffer.from(signature.s.slice(2), "hex"), Buffer.from([signature.yParity])]);
}

/** The outer Transaction: data (tag 1), dataHash (2), signature (3), attribute (5), extraData (8). */
export function encodeTransaction(envelope: Envelope, style: EncodeStyle = {}): Buffer {
  return Buffer.concat([
    encodeStruct(1, encodeTransactionData(envelope.data, style)),
    optional.bytes(2, envelope.dataHash),
    optional.bytes(3, envelope.signature),
    optional.int(5, envelope.attribute ?? 0),
    optional.string(8, envelope.extraData ?? ""),
  ]);
}

/** Hash, sign and encode: everything sendTransaction needs. The key never leaves this function. */
export function signTransaction(data: TransactionData, privateKeyHex: string, extra: Pick<Envelope, "attribute" | "extraData"> = {}): SignedTransaction {
  const dataHash = transactionHash(data);
  const signature = signHash(dataHash, privateKeyHex);
  const bytes = encodeTransaction({ data, dataHash, signature, ...extra });
  return {
    hex: `0x${bytes.toString("hex")}`,
    hash: `0x${dataHash.toString("hex")}`,
    sender: accountFromPrivateKeyHex(privateKeyHex).address,
  };
}

/** A fresh nonce as the C++ SDK makes them: decimal text of random 64-bit numbers. */
export function randomNonce(random: (bytes: number) => Uint8Array): string {
  const b = Buffer.from(random(16));
  return `${b.readBigUInt64BE(0)}${b.readBigUInt64BE(8)}`;
}

