import { AbiCoder, getAddress, id } from "ethers";

/**
 * FISCO BCOS 3.x system precompiled contracts that the load generator's funding step calls, with their ABI encodings
 * on a non-SM chain (selectors are keccak256; SM chains use SM3 and are not supported here). Addresses are written
 * as the Java SDK writes them (`PrecompiledAddress.java`): 40 lowercase hex characters without 0x, which is what
 * the txpool matches system transactions by (fisco-native-transactions.md §6, `PrecompiledTypeDef.h`).
 */

/** SystemConfigPrecompiled: setValueByKey / getValueByKey (bcos-executor/src/precompiled/SystemConfigPrecompiled.cpp). */
export const SYSTEM_CONFIG_ADDRESS = "0000000000000000000000000000000000001000";
/** BalancePrecompiled, registered while feature_balance_precompiled is on (…/extension/BalancePrecompiled.cpp). */
export const BALANCE_ADDRESS = "0000000000000000000000000000000000001011";

/** The features that give accounts a balance web3 can spend: feature_balance first, then feature_balance_precompiled. */
export const BALANCE_FEATURES = ["feature_balance", "feature_balance_precompiled"] as const;

/** CODE_SUCCESS and CODE_NO_AUTHORIZED of setValueByKey's int32 result (precompiled/common/Common.h). */
export const PRECOMPILED_CODE = { success: 0, noAuthorized: -50000 } as const;

const abi = AbiCoder.defaultAbiCoder();
const selector = (signature: string) => id(signature).slice(2, 10);

/** Calldata of setValueByKey(string,string), selector bd291aef. */
export function setValueByKeyInput(key: string, value: string): Buffer {
  return Buffer.from(selector("setValueByKey(string,string)") + abi.encode(["string", "string"], [key, value]).slice(2), "hex");
}

/** Calldata of addBalance(address,uint256), selector 21e5383a; `amount` in wei. */
export function addBalanceInput(account: string, amount: bigint): Buffer {
  return Buffer.from(selector("addBalance(address,uint256)") + abi.encode(["address", "uint256"], [getAddress(account), amount]).slice(2), "hex");
}

/** Calldata of getBalance(address), selector f8b2cb4f (a read: send it with `call`). */
export function getBalanceInput(account: string): string {
  return `0x${selector("getBalance(address)")}${abi.encode(["address"], [getAddress(account)]).slice(2)}`;
}

/** One ABI word as a signed int32 (a precompiled contract's result code, e.g. setValueByKey's); null when the output is not one word. */
export function decodeInt32(outputHex: string): number | null {
  const hex = outputHex.replace(/^0x/, "");
  return /^[0-9a-fA-F]{64}$/.test(hex) ? Number(BigInt.asIntN(32, BigInt(`0x${hex}`))) : null;
}

/** One ABI word as a uint256 (getBalance's result, a proposal id); null when the output is not one word. */
export function decodeUint256(outputHex: string): bigint | null {
  const hex = outputHex.replace(/^0x/, "");
  return /^[0-9a-fA-F]{64}$/.test(hex) ? BigInt(`0x${hex}`) : null;
}
