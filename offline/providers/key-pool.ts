import type { KeyObject } from "node:crypto";
import { generateRsaKey } from "./rsa-keygen";

/**
 * RSA keys started ahead of need. `synth` knows how many TLS keys the chain needs (nodes + CA + SDK) before the
 * Pulumi program even loads, so generation runs on the thread pool while the main thread loads modules.
 */
const pool: Promise<KeyObject>[] = [];

export function prefetchRsaKeys(count: number, bits = 2048): void {
  for (let i = 0; i < count; i++) pool.push(generateRsaKey(bits));
}

export function takeRsaKey(bits = 2048): Promise<KeyObject> {
  return (bits === 2048 && pool.shift()) || generateRsaKey(bits);
}
