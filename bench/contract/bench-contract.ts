/**
 * The benchmark contract the load generator deploys before a native run: Bench.sol's interface, hand-assembled from
 * bench.asm by fisco/evm-assembler.ts (test/bench-contract.test.ts checks these constants against the assembler and
 * runs the code on a real EVM, hardhat's). Each write touches three storage slots.
 */

/** Creation code: copies the runtime into memory and returns it. */
export const BENCH_CREATION_CODE =
  "0x607180600b6000396000f360043610602e5734602e5760003560e01c80639c0e3f7a146033578063c4b5c13314605857632ddbd13a146065575b600080fd5b5060443610602e57602435806004356002015560015401600155600054600101600055005b5060005460005260206000f35b60015460005260206000f3";

/** Runtime code: what the chain stores as the contract's code. */
export const BENCH_RUNTIME_CODE =
  "0x60043610602e5734602e5760003560e01c80639c0e3f7a146033578063c4b5c13314605857632ddbd13a146065575b600080fd5b5060443610602e57602435806004356002015560015401600155600054600101600055005b5060005460005260206000f35b60015460005260206000f3";

/** keccak256 selectors (non-SM chains): write(uint256,uint256), writes(), total(). */
export const BENCH_SELECTORS = { write: "9c0e3f7a", writes: "c4b5c133", total: "2ddbd13a" } as const;

/** Solidity ABI of Bench.sol. */
export const BENCH_ABI = [
  {
    type: "function",
    name: "write",
    stateMutability: "nonpayable",
    inputs: [
      { name: "key", type: "uint256" },
      { name: "value", type: "uint256" },
    ],
    outputs: [],
  },
  { type: "function", name: "writes", stateMutability: "view", inputs: [], outputs: [{ name: "", type: "uint256" }] },
  { type: "function", name: "total", stateMutability: "view", inputs: [], outputs: [{ name: "", type: "uint256" }] },
] as const;

/** Writes spread over this many keys (slots 2 … 1025): a few slots per transaction, a bounded state. */
export const BENCH_KEYS = 1024;

const word = (n: number | bigint) => n.toString(16).padStart(64, "0");

/** Calldata of write(key, value), as raw bytes (what a native transaction's input holds). */
export function encodeWrite(key: number, value: number | bigint): Buffer {
  return Buffer.from(BENCH_SELECTORS.write + word(key) + word(value), "hex");
}

/** Calldata of writes(). */
export function encodeWrites(): string {
  return `0x${BENCH_SELECTORS.writes}`;
}
