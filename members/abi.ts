import { Interface, getAddress } from "ethers";
import type { MembershipStep } from "../chain/membership-plan";

/**
 * ABI of the contracts a membership change calls, on a non-SM chain (selectors are keccak256 of the signatures; SM
 * chains use SM3 and are not supported by this project). Encoded with ethers' Interface, from the signatures FISCO
 * v3.16.4 registers:
 *
 * - ConsensusPrecompiled at 0x…1003 (bcos-executor/src/precompiled/ConsensusPrecompiled.cpp, CSS_METHOD_*): each
 *   method returns an int32 code (0 success, negative: members/codes.ts).
 * - CommitteeManager at 0x…10001 (PrecompiledTypeDef.h AUTH_COMMITTEE_ADDRESS; deployed at genesis by
 *   libinitializer/AuthInitializer.h with the admin as sole governor; source FISCO-BCOS/bcos-auth CommitteeManager.sol,
 *   client java-sdk contract/auth/contracts/CommitteeManager.java): with auth checking on, the precompiled contract
 *   accepts calls only from it, so a governor creates a proposal (type 51 set weight / add, 52 remove) that runs the
 *   call once the votes pass, and reports the int32 code in an `execResult(int256)` event.
 *
 * Addresses are written as the Java SDK writes them (PrecompiledAddress.java): 40 lowercase hex digits, no 0x.
 */

export const CONSENSUS_ADDRESS = "0000000000000000000000000000000000001003";
export const COMMITTEE_MANAGER_ADDRESS = "0000000000000000000000000000000000010001";

/** The four calls of ConsensusPrecompiled a plan uses (addSealer's 3-argument form with a term weight is not used). */
export const CONSENSUS_ABI = new Interface([
  "function addObserver(string nodeID) returns (int32)",
  "function addSealer(string nodeID, uint256 weight) returns (int32)",
  "function setWeight(string nodeID, uint256 weight) returns (int32)",
  "function remove(string nodeID) returns (int32)",
]);

export const COMMITTEE_ABI = new Interface([
  "function createSetConsensusWeightProposal(string node, uint32 weight, bool addFlag, uint256 blockNumberInterval) returns (uint256)",
  "function createRmNodeProposal(string node, uint256 blockNumberInterval) returns (uint256)",
  "function voteProposal(uint256 proposalId, bool agree)",
  "function isGovernor(address account) view returns (bool)",
  "event execResult(int256)",
]);

/** How long a proposal stays open, in blocks: the Java SDK's AuthManager default (3600 × 24 × 7). */
export const PROPOSAL_BLOCK_INTERVAL = 604_800n;

const bytes = (hex: string) => Buffer.from(hex.slice(2), "hex");

/** Calldata of the ConsensusPrecompiled call that performs `step` (node id as 128 lowercase hex, as FISCO stores it). */
export function consensusInput(step: MembershipStep): Buffer {
  switch (step.action) {
    case "addObserver":
      return bytes(CONSENSUS_ABI.encodeFunctionData("addObserver", [step.nodeId]));
    case "addSealer":
      return bytes(CONSENSUS_ABI.encodeFunctionData("addSealer", [step.nodeId, step.weight]));
    case "setWeight":
      return bytes(CONSENSUS_ABI.encodeFunctionData("setWeight", [step.nodeId, step.weight]));
    case "remove":
      return bytes(CONSENSUS_ABI.encodeFunctionData("remove", [step.nodeId]));
  }
}

/**
 * Calldata of the committee proposal that performs `step` (CommitteeManager.voteProposal: type 51 with addFlag runs
 * addObserver for weight 0 and addSealer otherwise, without addFlag setWeight; type 52 runs remove).
 */
export function proposalInput(step: MembershipStep): Buffer {
  const propose = (weight: number, add: boolean) =>
    bytes(COMMITTEE_ABI.encodeFunctionData("createSetConsensusWeightProposal", [step.nodeId, weight, add, PROPOSAL_BLOCK_INTERVAL]));
  switch (step.action) {
    case "addObserver":
      return propose(0, true);
    case "addSealer":
      return propose(step.weight, true);
    case "setWeight":
      return propose(step.weight, false);
    case "remove":
      return bytes(COMMITTEE_ABI.encodeFunctionData("createRmNodeProposal", [step.nodeId, PROPOSAL_BLOCK_INTERVAL]));
  }
}

/** Calldata of isGovernor(address), a read for `call`. */
export function isGovernorInput(address: string): string {
  return COMMITTEE_ABI.encodeFunctionData("isGovernor", [getAddress(address)]);
}

export function decodeBool(outputHex: string): boolean | null {
  const hex = outputHex.replace(/^0x/, "");
  return /^[0-9a-fA-F]{64}$/.test(hex) ? BigInt(`0x${hex}`) !== 0n : null;
}

/** A receipt log as FISCO's JSON-RPC answers it (JsonRpcImpl_2_0.cpp toJsonResp: address, topics, data). */
export interface LogEntry {
  readonly address: string;
  readonly topics: readonly string[];
  readonly data: string;
}

/** The code of the committee's `execResult(int256)` event in these logs, or null when the proposal did not run. */
export function execResultCode(logs: readonly LogEntry[]): number | null {
  const topic = COMMITTEE_ABI.getEvent("execResult")!.topicHash;
  const log = logs.find((l) => l.topics[0]?.toLowerCase() === topic && l.address.replace(/^0x/i, "").toLowerCase() === COMMITTEE_MANAGER_ADDRESS);
  if (!log) return null;
  return Number(BigInt.asIntN(256, BigInt(log.data.startsWith("0x") ? log.data : `0x${log.data}`)));
}

const ERROR_SELECTOR = "08c379a0";

/** The reason of a Solidity revert (`Error(string)`, as CommitteeManager's require()s give), or null. */
export function revertReason(outputHex: string): string | null {
  const hex = outputHex.replace(/^0x/, "");
  if (!hex.startsWith(ERROR_SELECTOR)) return null;
  try {
    return String(COMMITTEE_ABI.getAbiCoder().decode(["string"], `0x${hex.slice(8)}`)[0]);
  } catch {
    return null;
  }
}
