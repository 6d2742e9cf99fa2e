// SPDX-License-Identifier: Apache-2.0
pragma solidity >=0.6.10 <0.9.0;

/// The load generator's benchmark contract: each write touches three storage slots, in the spirit of FISCO's
/// performance demos. No solc can be downloaded where this project is built, so bench.asm is its hand-assembled form
/// (fisco/evm-assembler.ts) and bench-contract.ts holds the bytecode. (Arithmetic wraps, as the assembly does.)
contract Bench {
    uint256 public writes; // slot 0: how many writes succeeded
    uint256 public total;  // slot 1: the sum of the values written

    /// Stores `value` in raw slot key + 2 and counts the write.
    function write(uint256 key, uint256 value) external {
        assembly {
            sstore(add(key, 2), value)
        }
        unchecked {
            total += value;
            writes += 1;
        }
    }
}
