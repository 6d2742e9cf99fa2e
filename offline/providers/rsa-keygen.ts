import { createPrivateKey, generatePrime, type KeyObject } from "node:crypto";
import { promisify } from "node:util";

const generatePrimeAsync = promisify(generatePrime) as unknown as (size: number, options: { bigint: true }) => Promise<bigint>;

const E = 65537n;

/**
 * RSA key generation from two OpenSSL-generated primes, with the FIPS 186-4 §B.3 key checks
 * (|p - q| > 2^(nlen/2 - 100), d > 2^(nlen/2), gcd(e, p-1) = gcd(e, q-1) = 1, n exactly nlen bits).
 * OpenSSL 3.0's own RSA keygen is about 3x slower than generating the two primes; this is what lets
 * `synth` write 64 nodes in seconds. The primes come from node:crypto (OpenSSL's BN_generate_prime).
 */
export async function generateRsaKey(bits = 2048): Promise<KeyObject> {
  for (;;) {
    const [p, q] = await Promise.all([generatePrimeAsync(bits / 2, { bigint: true }), generatePrimeAsync(bits / 2, { bigint: true })]);
    const key = rsaKeyFromPrimes(p, q, bits);
    if (key) return key;
  }
}

export function rsaKeyFromPrimes(p: bigint, q: bigint, bits: number): KeyObject | undefined {
  const half = BigInt(bits / 2);
  const distance = p > q ? p - q : q - p;
  if (distance <= 1n << (half - 100n)) return undefined;
  if (gcd(E, p - 1n) !== 1n || gcd(E, q - 1n) !== 1n) return undefined;
  const n = p * q;
  if (n.toString(2).length !== bits) return undefined;
  const lambda = ((p - 1n) * (q - 1n)) / gcd(p - 1n, q - 1n);
  const d = modInverse(E, lambda);
  if (d <= 1n << half) return undefined;
  const [big, small] = p > q ? [p, q] : [q, p];
  const jwk = {
    kty: "RSA",
    n: b64u(n),
    e: b64u(E),
    d: b64u(d),
    p: b64u(big),
    q: b64u(small),
    dp: b64u(d % (big - 1n)),
    dq: b64u(d % (small - 1n)),
    qi: b64u(modInverse(small, big)),
  };
  return createPrivateKey({ key: jwk, format: "jwk" });
}

function gcd(a: bigint, b: bigint): bigint {
  while (b) [a, b] = [b, a % b];
  return a;
}

function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [a % m, m];
  let [oldS, s] = [1n, 0n];
  while (r) {
    const quotient = oldR / r;
    [oldR, r] = [r, oldR - quotient * r];
    [oldS, s] = [s, oldS - quotient * s];
  }
  if (oldR !== 1n) throw new Error("not invertible");
  return ((oldS % m) + m) % m;
}

function b64u(value: bigint): string {
  const hex = value.toString(16);
  return Buffer.from(hex.length % 2 ? `0${hex}` : hex, "hex").toString("base64url");
}
