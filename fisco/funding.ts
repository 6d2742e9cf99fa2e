import { randomBytes } from "node:crypto";
import type { NodeApi, Receipt } from "./native-api";
import { randomNonce, signTransaction, type HashSigner, type TransactionData } from "./native-tx";
import {
  addBalanceInput,
  BALANCE_ADDRESS,
  BALANCE_FEATURES,
  decodeInt32,
  decodeUint256,
  getBalanceInput,
  PRECOMPILED_CODE,
  setValueByKeyInput,
  SYSTEM_CONFIG_ADDRESS,
} from "./precompiled";

/**
 * Funding web3 senders on FISCO v3.16.4, whose web3 RPC refuses every sender with balance 0 and where no account has
 * a balance at genesis (fisco-native-transactions.md §7): three kinds of native transactions signed by the genesis
 * admin key — setValueByKey("feature_balance","1"), then setValueByKey("feature_balance_precompiled","1") (which
 * registers the committee's governors, i.e. the admin, as balance callers), then addBalance(account, amount) on the
 * BalancePrecompiled. Each step is taken only when needed, and the report says what changed on chain.
 */

/** The chain and group every transaction names (the node refuses others). */
export interface ChainIds {
  readonly chainId: string;
  readonly groupId: string;
}

/** One change made on chain. */
export interface FundingChange {
  /** e.g. `feature_balance switched on`, `addBalance(0x…, 1000000000000000000)`. */
  readonly action: string;
  readonly txHash: string;
  readonly blockNumber: number;
}

export interface FundingReport {
  readonly changes: readonly FundingChange[];
  /** Accounts that already had a balance (nothing sent for them). */
  readonly alreadyFunded: readonly string[];
  /** Accounts credited with `amount` wei. */
  readonly funded: readonly string[];
  readonly amount: string;
}

export class FundingError extends Error {}

/** What the SDKs put in blockLimit: the current height + 500 (java-sdk ClientImpl BLOCK_LIMIT_RANGE). */
export const BLOCK_LIMIT_RANGE = 500;

/** A v0 call of a system precompiled contract: `to` as the Java SDK writes it, attribute 1 (EVM ABI) as it sends. */
export function precompiledCall(chain: ChainIds, to: string, input: Uint8Array, blockLimit: number, nonce: string): TransactionData {
  return { version: 0, chainId: chain.chainId, groupId: chain.groupId, blockLimit, nonce, to, input, abi: "" };
}

async function send(api: NodeApi, chain: ChainIds, admin: HashSigner, to: string, input: Uint8Array, timeoutMs: number): Promise<Receipt> {
  const height = await api.blockNumber(timeoutMs);
  const data = precompiledCall(chain, to, input, height + BLOCK_LIMIT_RANGE, randomNonce(randomBytes));
  return api.sendTransaction(signTransaction(data, admin, { attribute: 1 }).hex, timeoutMs);
}

/** Switch a feature on (value "1") unless getSystemConfigByKey already says it is; null when nothing was sent. */
async function switchOn(api: NodeApi, chain: ChainIds, admin: HashSigner, feature: string, timeoutMs: number): Promise<FundingChange | null> {
  if ((await api.systemConfig(feature, timeoutMs))?.value === "1") return null;
  const receipt = await send(api, chain, admin, SYSTEM_CONFIG_ADDRESS, setValueByKeyInput(feature, "1"), timeoutMs);
  const code = decodeInt32(receipt.output);
  if (receipt.status !== 0 || code !== PRECOMPILED_CODE.success) {
    const why =
      code === PRECOMPILED_CODE.noAuthorized
        ? "not authorized: with authCheck on, system config changes go through a committee proposal"
        : `status ${receipt.status}${receipt.message ? `: ${receipt.message}` : ""}${code === null ? "" : `, code ${code}`}`;
    throw new FundingError(`setValueByKey("${feature}", "1") failed (${why})`);
  }
  return { action: `${feature} switched on`, txHash: `0x${receipt.transactionHash}`, blockNumber: receipt.blockNumber };
}

/** An account's balance in wei through BalancePrecompiled.getBalance (the field eth_getBalance reads). */
export async function balanceOf(api: NodeApi, account: string, timeoutMs: number): Promise<bigint> {
  const result = await api.callContract(BALANCE_ADDRESS, getBalanceInput(account), timeoutMs);
  const value = result.status === 0 ? decodeUint256(result.output) : null;
  if (value === null) throw new FundingError(`getBalance(${account}) failed (status ${result.status}): is feature_balance_precompiled on?`);
  return value;
}

async function credit(api: NodeApi, chain: ChainIds, admin: HashSigner, account: string, amount: bigint, timeoutMs: number): Promise<FundingChange> {
  const receipt = await send(api, chain, admin, BALANCE_ADDRESS, addBalanceInput(account, amount), timeoutMs);
  if (receipt.status !== 0) {
    throw new FundingError(
      `addBalance(${account}) failed (status ${receipt.status}: ${receipt.message || "no message"}); the signing key must be the genesis admin account (stack output adminAddress), a balance governor (${admin.address})`,
    );
  }
  return { action: `addBalance(${account}, ${amount})`, txHash: `0x${receipt.transactionHash}`, blockNumber: receipt.blockNumber };
}

/**
 * Give every account a non-zero balance: the balance features first (each in its own block: the second needs the
 * first in force), then addBalance for each account whose balance is 0, a few at a time. @throws FundingError with
 * the node's status and message when a step fails (e.g. a key that is not the genesis admin: Permission denied).
 */
export async function fundAccounts(
  api: NodeApi,
  chain: ChainIds,
  admin: HashSigner,
  accounts: readonly string[],
  amount: bigint,
  timeoutMs: number,
): Promise<FundingReport> {
  const changes: FundingChange[] = [];
  for (const feature of BALANCE_FEATURES) {
    const change = await switchOn(api, chain, admin, feature, timeoutMs);
    if (change) changes.push(change);
  }
  // A call runs in a block numbered as the head (SchedulerImpl::call), and a feature set in block B is in force from
  // B + 1, which FISCO seals only when transactions arrive: right after feature_balance_precompiled is switched on,
  // BalancePrecompiled cannot be called yet (status 16, seen on v3.16.4). Until it is in force nobody can have been
  // credited, so every balance is 0; the addBalance transactions themselves go into later blocks, where it is.
  const [height, precompiled] = await Promise.all([api.blockNumber(timeoutMs), api.systemConfig("feature_balance_precompiled", timeoutMs)]);
  const inForce = precompiled !== null && precompiled.value === "1" && precompiled.blockNumber <= height;
  const balances = inForce ? await Promise.all(accounts.map((a) => balanceOf(api, a, timeoutMs))) : accounts.map(() => 0n);
  const empty = accounts.filter((_, i) => balances[i] === 0n);
  for (let i = 0; i < empty.length; i += 16) {
    changes.push(...(await Promise.all(empty.slice(i, i + 16).map((a) => credit(api, chain, admin, a, amount, timeoutMs)))));
  }
  return { changes, alreadyFunded: accounts.filter((_, i) => balances[i] > 0n), funded: empty, amount: amount.toString() };
}
