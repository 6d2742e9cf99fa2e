// SPDX-License-Identifier: Apache-2.0
pragma solidity >=0.6.10 <0.9.0;

/// The post-deploy verifier's probe contract. This source is the specification; the deployed bytecode is
/// hand-assembled from probe.asm (no solc can be downloaded where this project is built), see README.md.
contract Probe {
    uint256 private value; // storage slot 0

    /// Stores v. Reverts on v == 0, so a failed write can never look like an unset value.
    function set(uint256 v) external {
        require(v != 0);
        value = v;
    }

    function get() external view returns (uint256) {
        return value;
    }
}
