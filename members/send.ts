import { randomBytes } from "node:crypto";
import type { MembershipStep } from "../chain/membership-plan";
import { normalizeHex, parseReceipt, type NodeApi, type Receipt } from "../fisco/native-api";
import { randomNonce, signTransaction, type TransactionData } from "../fisco/native-tx";
import { decodeInt32, decodeUint256 } from "../fisco/precompiled";
import { RpcError } from "../fisco/rpc-client";
import { COMMITTEE_MANAGER_ADDRESS, CONSENSUS_ADDRESS, consensusInput, execResultCode, proposalInput, revertReason, type LogEntry } from "./abi";
import { describeTransactionStatus } from "../fisco/transaction-status";
import { describeCode } from "./codes";

/**
 * One membership step as a FISCO native transaction signed by the genesis admin key: straight to the consensus
 * precompiled contract when auth checking is off (any account may call it then), or as a committee proposal when it
 * is on (members/governance.ts). The receipt must say status 0 and the int32 code must be ≥ 0; anything else is a
 * StepFailure whose message names FISCO's code.
 */

/** What a transaction names besides its input: the chain and group the node checks, the admin key that signs. */
export interface Sender {
  readonly chainId: string;
  readonly groupId: string;
  /** 0x-hex private key of the genesis admin account; never printed. */
  readonly privateKey: string;
}

export interface StepOutcome {
  readonly txHash: string;
  readonly blockNumber: number;
  /** The consensus precompiled contract's int32 code (0 on success). */
  readonly code: number;
  /** The committee proposal that carried the call (auth checking on). */
  readonly proposalId?: string;
}

export class StepFailure extends Error {}

/** The SDKs' blockLimit: the current height + 500 (java-sdk ClientImpl BLOCK_LIMIT_RANGE). */
const BLOCK_LIMIT_RANGE = 500;

/** A receipt with its logs (parseReceipt leaves them out). */
interface FullReceipt extends Receipt {
  readonly logs: readonly LogEntry[];
}

function parseLogs(result: unknown): LogEntry[] {
  const entries = (result as { logEntries?: unknown })?.logEntries;
  if (!Array.isArray(entries)) return [];
  return entries.map((e: { address?: unknown; topics?: unknown; data?: unknown }) => ({
    address: typeof e.address === "string" ? e.address : "",
    topics: Array.isArray(e.topics) ? e.topics.map((t) => `0x${normalizeHex(t)}`) : [],
    data: typeof e.data === "string" ? e.data : "0x",
  }));
}

async function sendCall(
  api: NodeApi,
  sender: Sender,
  to: string,
  input: Buffer,
  what: string,
  timeoutMs: number,
): Promise<{ receipt: FullReceipt; hash: string }> {
  const height = await api.blockNumber(timeoutMs);
  const data: TransactionData = {
    version: 0,
    chainId: sender.chainId,
    groupId: sender.groupId,
    blockLimit: height + BLOCK_LIMIT_RANGE,
    nonce: randomNonce(randomBytes),
    to,
    input,
    abi: "",
  };
  const signed = signTransaction(data, sender.privateKey, { attribute: 1 });
  let raw: unknown;
  try {
    // sendTransaction answers once the transaction is in a block: the receipt (JsonRpcImpl_2_0.cpp).
    raw = await api.client.request<unknown>("sendTransaction", [api.group, "", signed.hex, false], timeoutMs);
  } catch (error) {
    if (error instanceof RpcError && error.kind === "timeout")
      throw new StepFailure(`${what} via ${api.name}: no receipt within ${Math.round(timeoutMs / 1000)} s (tx ${signed.hash}); is the chain sealing blocks?`);
    if (error instanceof RpcError && error.kind === "rpc" && error.code !== undefined)
      throw new StepFailure(`${what} via ${api.name} rejected: ${describeTransactionStatus(error.code)}: ${error.message}`);
    throw new StepFailure(`${what} via ${api.name} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  const receipt = { ...parseReceipt(raw, api.name, "sendTransaction"), logs: parseLogs(raw) };
  if (receipt.transactionHash && receipt.transactionHash !== signed.hash.slice(2)) {
    throw new StepFailure(`${what} via ${api.name}: the node reports transaction hash 0x${receipt.transactionHash}, we computed ${signed.hash}`);
  }
  if (receipt.status !== 0) {
    const reason = revertReason(receipt.output) ?? receipt.message;
    throw new StepFailure(
      `${what} via ${api.name} failed in block ${receipt.blockNumber}: ${describeTransactionStatus(receipt.status)}${reason ? `: ${reason}` : ""} (tx ${signed.hash})`,
    );
  }
  return { receipt, hash: signed.hash };
}

/** e.g. `addSealer(node4, weight 1)`. */
export function describeStep(step: MembershipStep): string {
  return `${step.action}(${step.name}${"weight" in step ? `, weight ${step.weight}` : ""})`;
}

/** The call straight to ConsensusPrecompiled (auth checking off). @throws StepFailure */
export async function sendDirect(api: NodeApi, sender: Sender, step: MembershipStep, timeoutMs: number): Promise<StepOutcome> {
  const what = describeStep(step);
  const { receipt, hash } = await sendCall(api, sender, CONSENSUS_ADDRESS, consensusInput(step), what, timeoutMs);
  const code = decodeInt32(receipt.output);
  if (code === null)
    throw new StepFailure(
      `${what} via ${api.name}: the receipt's output ${receipt.output || "(empty)"} is not an int32 code (tx ${hash}, block ${receipt.blockNumber})`,
    );
  if (code < 0) throw new StepFailure(`${what} refused by FISCO in block ${receipt.blockNumber}: ${describeCode(code)} (tx ${hash})`);
  return { txHash: hash, blockNumber: receipt.blockNumber, code };
}

/**
 * A committee proposal that performs the call (auth checking on). The proposer's vote counts at once
 * (CommitteeManager._createProposal); with the genesis committee (the admin sole governor, rates 0) that passes it and
 * the call runs in the same transaction, reported by an execResult event. @throws StepFailure, also when the proposal
 * still waits for other governors' votes.
 */
export async function sendProposal(api: NodeApi, sender: Sender, step: MembershipStep, timeoutMs: number): Promise<StepOutcome> {
  const what = `committee proposal for ${describeStep(step)}`;
  const { receipt, hash } = await sendCall(api, sender, COMMITTEE_MANAGER_ADDRESS, proposalInput(step), what, timeoutMs);
  const proposalId = decodeUint256(receipt.output)?.toString();
  const code = execResultCode(receipt.logs);
  if (code === null) {
    throw new StepFailure(
      `${what}: proposal ${proposalId ?? "?"} was created in block ${receipt.blockNumber} (tx ${hash}) but has not passed: the committee needs votes from other governors ` +
        `(console: voteProposal ${proposalId ?? "<id>"}); run this again once it has passed`,
    );
  }
  if (code < 0)
    throw new StepFailure(
      `${what}: proposal ${proposalId} passed, but FISCO refused the call in block ${receipt.blockNumber}: ${describeCode(code)} (tx ${hash})`,
    );
  return { txHash: hash, blockNumber: receipt.blockNumber, code, proposalId };
}
