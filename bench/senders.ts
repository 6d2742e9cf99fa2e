import { computeAddress, keccak256, toUtf8Bytes } from "ethers";

/**
 * K sender keys derived from a seed: keccak256("<seed>:<i>"). Deterministic, so the same senders can be funded once
 * (on FISCO v3.16.4 web3 refuses zero-balance senders) and reused; print their addresses with --dry-run --json.
 */
export function deriveSenderKeys(seed: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => keccak256(toUtf8Bytes(`${seed}:${i}`)));
}

/** Keys from a file: one 0x-prefixed 32-byte hex key per line; blank lines and # comments ignored. */
export function parseKeyFile(text: string): string[] {
  const keys = text
    .split("\n")
    .map((line) => line.replace(/#.*/, "").trim())
    .filter(Boolean);
  keys.forEach((key, i) => {
    if (!/^0x[0-9a-fA-F]{64}$/.test(key)) throw new Error(`key file line ${i + 1}: not a 0x-prefixed 32-byte hex private key`);
  });
  return keys;
}

export const addressOf = (privateKey: string) => computeAddress(privateKey);

/** The run's sender keys: --key-file's, or `senders` keys derived from the seed. */
export function senderKeys(options: { readonly keys?: readonly string[]; readonly seed: string; readonly senders: number }): readonly string[] {
  return options.keys ?? deriveSenderKeys(options.seed, options.senders);
}
