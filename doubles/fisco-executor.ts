import { AbiCoder, keccak256 } from "ethers";
import { BENCH_CREATION_CODE } from "../bench/contract/bench-contract";
import { PROBE_CREATION_CODE } from "../verify/probe/probe";

/**
 * What FiscoRpcDouble executes — a TEST DOUBLE of FISCO's executor, not an EVM. Contracts are recognised by their
 * creation code and their functions simulated: the verifier's probe (set/get, slot 0, revert on 0) and the load
 * generator's Bench (write/writes/total); any other deployed code reverts when called. Two system precompiled
 * contracts are simulated as FISCO v3.16.4 runs them (fisco-native-transactions.md §7.3):
 * - SystemConfigPrecompiled 0x…1000 `setValueByKey(string,string)`: feature switches only; the value must be "1",
 *   is in force from the next block (enableNumber = block + 1), and feature_balance_precompiled needs
 *   feature_balance in force ("must set feature_balance first", Features.h validate); setting it registers the
 *   committee's governors as balance callers (registerGovernorToCaller). Failures: receipt status 15
 *   (PrecompiledError) with FISCO's message; result code 0 (CODE_SUCCESS) as one int32 word.
 * - BalancePrecompiled 0x…1011, registered only while feature_balance_precompiled is in force:
 *   `addBalance(address,uint256)` by a registered caller (else status 15, "Permission denied. …"),
 *   `getBalance(address)`.
 */

export type ContractState =
  { readonly kind: "probe"; readonly slot0: bigint } | { readonly kind: "bench"; readonly writes: bigint; readonly total: bigint } | { readonly kind: "other" };

/** A system config entry (ledger SYS_CONFIG): the value and the block from which it is in force. */
export interface ConfigEntry {
  readonly value: string;
  readonly enableNumber: number;
}

/** The chain state after a block; copied per block (copyState) so that older heights keep their view. */
export interface ChainState {
  readonly contracts: Map<string, ContractState>;
  readonly config: Map<string, ConfigEntry>;
  /** Account balances in wei (/apps/<address> field "balance"). */
  readonly balances: Map<string, bigint>;
  /** Table s_balance_caller. */
  readonly balanceCallers: Set<string>;
}

export interface Outcome {
  readonly status: number;
  readonly output: string;
  readonly message: string;
}

/** Who executes what: the block being built (or the head for a call), the recovered sender, the governors. */
export interface ExecContext {
  readonly number: number;
  readonly sender: string;
  readonly governors: readonly string[];
  /** A transaction (state changes) rather than a call. */
  readonly write: boolean;
  /** Fault injection: true when this probe write must revert. */
  readonly revertProbeWrite?: () => boolean;
}

export const SYSTEM_CONFIG = "0000000000000000000000000000000000001000";
export const BALANCE = "0000000000000000000000000000000000001011";
const FEATURES = ["feature_balance", "feature_balance_precompiled", "feature_balance_policy1"];
const MAX = 2n ** 256n;
const abi = AbiCoder.defaultAbiCoder();

export const emptyState = (): ChainState => ({ contracts: new Map(), config: new Map(), balances: new Map(), balanceCallers: new Set() });

/**
 * The system config a v3.16.4 genesis writes (compatibility 3.16.0, executor v1), as getSystemConfigByKey answered it
 * on a real node; the feature switches are absent until set.
 */
export function genesisState(web3ChainId = 20200, blockTxCountLimit = 1000): ChainState {
  const state = emptyState();
  const genesis: Record<string, string> = {
    tx_gas_limit: "3000000000",
    tx_gas_price: "0x0",
    tx_count_limit: String(blockTxCountLimit),
    consensus_leader_period: "1",
    auth_check_status: "0",
    compatibility_version: "3.16.0",
    web3_chain_id: String(web3ChainId),
    balance_transfer: "1",
    executor_version: "1",
  };
  for (const [key, value] of Object.entries(genesis)) state.config.set(key, { value, enableNumber: 0 });
  return state;
}

export function copyState(s: ChainState): ChainState {
  return { contracts: new Map(s.contracts), config: new Map(s.config), balances: new Map(s.balances), balanceCallers: new Set(s.balanceCallers) };
}

/** A feature (or config key) in force at block `number`. */
export function inForce(state: ChainState, key: string, number: number): boolean {
  const entry = state.config.get(key);
  return entry !== undefined && entry.value === "1" && entry.enableNumber <= number;
}

const ok = (output = "0x"): Outcome => ({ status: 0, output, message: "" });
/** A REVERT (status 16): fisco-bcos v3.16.4 answers an empty message and the revert data as output. `why` is for the reader. */
const revert = (why: string, output = "0x"): Outcome => ({ status: 16, output, message: why === FAULT ? FAULT : "" });
const FAULT = "reverted by fault injection";
/** Error("Call address error."): what a call to an address without code returns (status 16), as v3.16.4 answered. */
const CALL_ADDRESS_ERROR = `0x08c379a0${abi.encode(["string"], ["Call address error."]).slice(2)}`;
const precompiledError = (message: string): Outcome => ({ status: 15, output: "0x", message });
const word = (n: bigint | number) => `0x${BigInt.asUintN(256, BigInt(n)).toString(16).padStart(64, "0")}`;

/** A deploy: executor v1's native CREATE address, first 20 bytes of hash("<block>_<contextID>_<seq>"). */
export function deploy(state: ChainState, input: Buffer, number: number, index: number): string {
  const address = keccak256(Buffer.from(`${number}_${index}_0`)).slice(2, 42);
  const code = `0x${input.toString("hex")}`;
  state.contracts.set(
    address,
    code === PROBE_CREATION_CODE ? { kind: "probe", slot0: 0n } : code === BENCH_CREATION_CODE ? { kind: "bench", writes: 0n, total: 0n } : { kind: "other" },
  );
  return address;
}

/** A call or a transaction to `to`; writes change `state` only when ctx.write. */
export function execute(state: ChainState, to: string, input: Buffer, ctx: ExecContext): Outcome {
  const address = to.replace(/^0x/i, "").toLowerCase();
  if (address === SYSTEM_CONFIG) return systemConfig(state, input, ctx);
  if (address === BALANCE && inForce(state, "feature_balance_precompiled", ctx.number)) return balance(state, input, ctx);
  const contract = state.contracts.get(address);
  if (!contract) return revert("call to an address without code", CALL_ADDRESS_ERROR);
  if (contract.kind === "probe") return probe(state, address, contract.slot0, input, ctx);
  if (contract.kind === "bench") return bench(state, address, contract, input, ctx);
  return revert("not a contract the double simulates");
}

function probe(state: ChainState, address: string, slot0: bigint, input: Buffer, ctx: ExecContext): Outcome {
  const selector = input.subarray(0, 4).toString("hex");
  if (selector === "6d4ce63c") return ok(word(slot0));
  if (selector !== "60fe47b1" || input.length < 36) return revert("unknown selector");
  const value = BigInt(`0x${input.subarray(4, 36).toString("hex")}`);
  if (value === 0n) return revert("require(v != 0)");
  if (ctx.write && ctx.revertProbeWrite?.()) return revert(FAULT);
  if (ctx.write) state.contracts.set(address, { kind: "probe", slot0: value });
  return ok();
}

function bench(state: ChainState, address: string, contract: { writes: bigint; total: bigint }, input: Buffer, ctx: ExecContext): Outcome {
  const selector = input.subarray(0, 4).toString("hex");
  if (selector === "c4b5c133") return ok(word(contract.writes));
  if (selector === "2ddbd13a") return ok(word(contract.total));
  if (selector !== "9c0e3f7a" || input.length < 68) return revert("unknown selector");
  const value = BigInt(`0x${input.subarray(36, 68).toString("hex")}`);
  if (ctx.write) state.contracts.set(address, { kind: "bench", writes: (contract.writes + 1n) % MAX, total: (contract.total + value) % MAX });
  return ok();
}

function systemConfig(state: ChainState, input: Buffer, ctx: ExecContext): Outcome {
  if (input.subarray(0, 4).toString("hex") !== "bd291aef") return precompiledError("SystemConfigPrecompiled call undefined function!");
  const [rawKey, value] = abi.decode(["string", "string"], input.subarray(4)) as unknown as [string, string];
  const key = rawKey.toLowerCase();
  if (!FEATURES.includes(key)) return precompiledError(`unsupported key ${key}`);
  if (value !== "1") return precompiledError(`The value for ${key} must be 1.`);
  if (key === "feature_balance_precompiled" && !inForce(state, "feature_balance", ctx.number)) return precompiledError("must set feature_balance first");
  if (ctx.write) {
    state.config.set(key, { value, enableNumber: ctx.number + 1 });
    if (key === "feature_balance_precompiled") ctx.governors.forEach((g) => state.balanceCallers.add(g.toLowerCase()));
  }
  return ok(word(0));
}

function balance(state: ChainState, input: Buffer, ctx: ExecContext): Outcome {
  const selector = input.subarray(0, 4).toString("hex");
  if (selector === "f8b2cb4f") {
    const [account] = abi.decode(["address"], input.subarray(4)) as unknown as [string];
    return ok(word(state.balances.get(account.toLowerCase()) ?? 0n));
  }
  if (selector !== "21e5383a") return precompiledError("BalancePrecompiled call undefined function!");
  if (!state.balanceCallers.has(ctx.sender.toLowerCase()))
    return precompiledError('Permission denied. Please use "listBalanceGovernor" to check which account(or contract) can addBalance');
  const [account, amount] = abi.decode(["address", "uint256"], input.subarray(4)) as unknown as [string, bigint];
  if (ctx.write) state.balances.set(account.toLowerCase(), (state.balances.get(account.toLowerCase()) ?? 0n) + amount);
  return ok();
}
