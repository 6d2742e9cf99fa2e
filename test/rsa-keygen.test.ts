import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { generatePrimeSync, sign, verify } from "node:crypto";
import { test } from "node:test";
import { generateRsaKey, rsaKeyFromPrimes } from "../offline/providers/rsa-keygen";

test("generated keys are 2048-bit, e = 65537, pass openssl's consistency check and sign/verify", async () => {
  const keys = await Promise.all([generateRsaKey(), generateRsaKey(), generateRsaKey()]);
  for (const key of keys) {
    assert.equal(key.asymmetricKeyDetails?.modulusLength, 2048);
    assert.equal(key.asymmetricKeyDetails?.publicExponent, 65537n);
    const pem = key.export({ type: "pkcs1", format: "pem" }).toString();
    assert.match(execFileSync("openssl", ["rsa", "-check", "-noout"], { input: pem, encoding: "utf8" }), /RSA key ok/);
    const signature = sign("sha256", Buffer.from("fisco"), key);
    assert.ok(verify("sha256", Buffer.from("fisco"), key, signature));
  }
  assert.equal(new Set(keys.map((k) => k.export({ format: "jwk" }).n)).size, 3);
});

test("refuses prime pairs that FIPS 186-4 rules out", () => {
  const p = generatePrimeSync(1024, { bigint: true });
  assert.equal(rsaKeyFromPrimes(p, p, 2048), undefined, "p = q");
  let q = p + 2n;
  while (!isProbablePrime(q)) q += 2n;
  assert.equal(rsaKeyFromPrimes(p, q, 2048), undefined, "|p - q| too small");
  const small = generatePrimeSync(512, { bigint: true });
  assert.equal(rsaKeyFromPrimes(p, small, 2048), undefined, "modulus shorter than asked");
});

function isProbablePrime(n: bigint): boolean {
  const modPow = (b: bigint, e: bigint, m: bigint) => {
    let r = 1n;
    for (b %= m; e > 0n; e >>= 1n, b = (b * b) % m) if (e & 1n) r = (r * b) % m;
    return r;
  };
  return [2n, 3n, 5n, 7n, 11n, 13n].every((a) => modPow(a, n - 1n, n) === 1n);
}
