/**
 * The probe contract the verifier deploys: Probe.sol's interface, hand-assembled from probe.asm by assembler.ts
 * (`npx tsx fisco/evm-assembler.ts verify/probe/probe.asm` prints them again; test/verify-web3.test.ts checks these constants
 * against the assembler and runs the code on a real EVM, hardhat's).
 */

/** Creation code: copies the runtime into memory and returns it. */
export const PROBE_CREATION_CODE =
  "0x604a80600b6000396000f3600436106024573460245760003560e01c806360fe47b114602957636d4ce63c14603e575b600080fd5b50602436106024576004358015602457600055005b60005460005260206000f3";

/** Runtime code: what eth_getCode / getCode return after deployment. */
export const PROBE_RUNTIME_CODE =
  "0x600436106024573460245760003560e01c806360fe47b114602957636d4ce63c14603e575b600080fd5b50602436106024576004358015602457600055005b60005460005260206000f3";

/** Solidity ABI of Probe.sol. */
export const PROBE_ABI = [
  { type: "function", name: "set", stateMutability: "nonpayable", inputs: [{ name: "v", type: "uint256" }], outputs: [] },
  { type: "function", name: "get", stateMutability: "view", inputs: [], outputs: [{ name: "", type: "uint256" }] },
] as const;

/** keccak256("set(uint256)")[0..4) and keccak256("get()")[0..4): the selectors on a non-SM chain. */
export const SET_SELECTOR = "60fe47b1";
export const GET_SELECTOR = "6d4ce63c";

/** Calldata of set(v). */
export function encodeSet(value: bigint): string {
  if (value < 0n || value >= 2n ** 256n) throw new RangeError("set(uint256): value out of range");
  return `0x${SET_SELECTOR}${value.toString(16).padStart(64, "0")}`;
}

/** Calldata of get(). */
export function encodeGet(): string {
  return `0x${GET_SELECTOR}`;
}

/** get()'s return data: one uint256 word. */
export function decodeGet(output: string): bigint {
  const hex = output.replace(/^0x/, "");
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new Error(`get() returned ${hex.length / 2} bytes, expected 32`);
  return BigInt(`0x${hex}`);
}
