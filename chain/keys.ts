import { createECDH, createPrivateKey, createPublicKey } from "node:crypto";
import { keccak256 } from "js-sha3";

/** Order of the secp256k1 group. */
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

export interface ConsensusKey {
  /** conf/node.pem: PKCS#8 PEM, the layout build_chain writes. */
  readonly pem: string;
  /** conf/node.nodeid: 128 lowercase hex of X‖Y, without the 04 prefix. */
  readonly nodeId: string;
}

/**
 * Map 32+ bytes of secret randomness onto a valid private scalar in [1, n-1].
 * Deterministic, so the same Pulumi-managed randomness always yields the same key.
 */
export function scalarFromSeed(seedHex: string): Buffer {
  if (!/^[0-9a-f]{64,}$/i.test(seedHex)) throw new Error("seed must be at least 32 bytes of hex");
  const scalar = (BigInt(`0x${seedHex}`) % (SECP256K1_N - 1n)) + 1n;
  return Buffer.from(scalar.toString(16).padStart(64, "0"), "hex");
}

/** Uncompressed public point X‖Y (64 bytes) of a secp256k1 private scalar. */
export function publicPoint(scalar: Buffer): Buffer {
  const ecdh = createECDH("secp256k1");
  ecdh.setPrivateKey(scalar);
  return ecdh.getPublicKey().subarray(1);
}

export function consensusKeyFromSeed(seedHex: string): ConsensusKey {
  return consensusKeyFromScalar(scalarFromSeed(seedHex));
}

export function consensusKeyFromScalar(scalar: Buffer): ConsensusKey {
  const point = publicPoint(scalar);
  const jwk = {
    kty: "EC",
    crv: "secp256k1",
    d: scalar.toString("base64url"),
    x: point.subarray(0, 32).toString("base64url"),
    y: point.subarray(32).toString("base64url"),
  };
  const pem = createPrivateKey({ key: jwk, format: "jwk" }).export({ type: "pkcs8", format: "pem" }).toString();
  return { pem, nodeId: point.toString("hex") };
}

/** node.nodeid from any secp256k1 private key PEM (PKCS#8 or SEC1), as build_chain derives it. */
export function nodeIdFromPem(pem: string): string {
  const jwk = createPublicKey(pem).export({ format: "jwk" });
  if (jwk.crv !== "secp256k1" || !jwk.x || !jwk.y) throw new Error("not a secp256k1 key");
  return Buffer.concat([Buffer.from(jwk.x, "base64url"), Buffer.from(jwk.y, "base64url")]).toString("hex");
}

/** Account address: last 20 bytes of keccak256(X‖Y), lowercase as FISCO's get_account.sh prints it. */
export function addressFromNodeId(publicXYHex: string): string {
  return `0x${keccak256(Buffer.from(publicXYHex, "hex")).slice(-40)}`;
}

export interface Account {
  readonly address: string;
  /** The private key as PKCS#8 PEM (as console's get_account.sh writes accounts/0x<addr>.pem). */
  readonly pem: string;
  /** 0x-prefixed 32-byte private scalar, the form ethers and the SDKs take. */
  readonly privateKeyHex: string;
}

export function accountFromSeed(seedHex: string): Account {
  return accountFromScalar(scalarFromSeed(seedHex));
}

/** The account of a 0x-prefixed private key, as stored in the adminPrivateKey stack output. */
export function accountFromPrivateKeyHex(privateKeyHex: string): Account {
  return accountFromScalar(Buffer.from(privateKeyHex.replace(/^0x/, ""), "hex"));
}

function accountFromScalar(scalar: Buffer): Account {
  const key = consensusKeyFromScalar(scalar);
  return { address: addressFromNodeId(key.nodeId), pem: key.pem, privateKeyHex: `0x${scalar.toString("hex")}` };
}
