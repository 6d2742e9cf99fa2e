import { SigningKey } from "ethers";
import { keccak256 as keccak } from "js-sha3";
import { accountFromPrivateKeyHex } from "../chain/keys";
import { TarsWriter } from "./tars";

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

/** Write the TransactionData struct body (tags 1–14), without the surrounding struct head. */
function writeTransactionData(w: TarsWriter, tx: TransactionData, style: EncodeStyle): void {
  checkFields(tx);
  if (style.writeZeroVersion) w.int(1, tx.version);
  else w.optionalInt(1, tx.version);
  w.optionalString(2, tx.chainId).optionalString(3, tx.groupId).optionalInt(4, tx.blockLimit).optionalString(5, tx.nonce);
  w.optionalString(6, tx.to).optionalBytes(7, tx.input).optionalString(8, tx.abi);
  w.optionalString(9, tx.value ?? "")
    .optionalString(10, tx.gasPrice ?? "")
    .optionalInt(11, tx.gasLimit ?? 0);
  w.optionalString(12, tx.maxFeePerGas ?? "").optionalString(13, tx.maxPriorityFeePerGas ?? "");
  w.optionalBytes(14, tx.extension ?? new Uint8Array());
}

/** The TransactionData struct body (tags 1–14), without the surrounding struct head. */
export function encodeTransactionData(tx: TransactionData, style: EncodeStyle = {}): Buffer {
  const w = new TarsWriter();
  writeTransactionData(w, tx, style);
  return w.toBuffer();
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

/** The transaction hash on a non-SM chain: keccak256 (Ethereum's, padding 0x01; js-sha3) of the preimage. */
export function transactionHash(tx: TransactionData): Buffer {
  return Buffer.from(keccak.arrayBuffer(hashPreimage(tx)));
}

/** secp256k1 over the 32-byte hash itself (no prefix, no re-hash), RFC 6979, low s: r ‖ s ‖ recovery id. */
export function signHash(hash: Uint8Array, privateKeyHex: string): Buffer {
  return signWith(new SigningKey(privateKeyHex), hash);
}

function signWith(key: SigningKey, hash: Uint8Array): Buffer {
  const signature = key.sign(hash);
  return Buffer.concat([Buffer.from(signature.r.slice(2), "hex"), Buffer.from(signature.s.slice(2), "hex"), Buffer.from([signature.yParity])]);
}

/**
 * A secp256k1 account that signs transaction hashes as FISCO checks them (Secp256k1Crypto.cpp): 65 bytes
 * r ‖ s ‖ v, v the raw recovery id 0 or 1 (never 27/28), over the 32-byte hash itself.
 */
export interface HashSigner {
  /** 0x-address, lowercase: last 20 bytes of keccak256(X ‖ Y). */
  readonly address: string;
  sign(hash: Uint8Array): Uint8Array;
}

/** ethers' JavaScript signer (RFC 6979, low s): about 2,500 signatures/s per core; fisco/secp256k1.ts has a faster one. */
export function ethersSigner(privateKeyHex: string): HashSigner {
  const key = new SigningKey(privateKeyHex);
  return { address: accountFromPrivateKeyHex(privateKeyHex).address, sign: (hash) => signWith(key, hash) };
}

function writeTransaction(w: TarsWriter, envelope: Envelope, style: EncodeStyle): TarsWriter {
  w.struct(1, () => writeTransactionData(w, envelope.data, style));
  w.optionalBytes(2, envelope.dataHash).optionalBytes(3, envelope.signature);
  return w.optionalInt(5, envelope.attribute ?? 0).optionalString(8, envelope.extraData ?? "");
}

/** The outer Transaction: data (tag 1), dataHash (2), signature (3), attribute (5), extraData (8). */
export function encodeTransaction(envelope: Envelope, style: EncodeStyle = {}): Buffer {
  return writeTransaction(new TarsWriter(), envelope, style).toBuffer();
}

/** encodeTransaction as 0x-hex, the third sendTransaction parameter (no intermediate copy). */
export function encodeTransactionHex(envelope: Envelope, style: EncodeStyle = {}): string {
  return `0x${writeTransaction(new TarsWriter(), envelope, style).toHex()}`;
}

/**
 * Hash, sign and encode: everything sendTransaction needs. `key`: a 0x-hex private key (signed with ethers) or a
 * HashSigner; the key never leaves this function.
 */
export function signTransaction(data: TransactionData, key: string | HashSigner, extra: Pick<Envelope, "attribute" | "extraData"> = {}): SignedTransaction {
  const signer = typeof key === "string" ? ethersSigner(key) : key;
  const dataHash = transactionHash(data);
  const signature = signer.sign(dataHash);
  const hex = encodeTransactionHex({ data, dataHash, signature, ...extra });
  return { hex, hash: `0x${dataHash.toString("hex")}`, sender: signer.address };
}

/** A fresh nonce as the C++ SDK makes them: decimal text of random 64-bit numbers. */
export function randomNonce(random: (bytes: number) => Uint8Array): string {
  const b = Buffer.from(random(16));
  return `${b.readBigUInt64BE(0)}${b.readBigUInt64BE(8)}`;
}
