/**
 * Receipt and txpool status codes a native transaction may meet, by name (FISCO BCOS v3.16.4
 * bcos-protocol/bcos-protocol/TransactionStatus.h; a node's RPC error code for a refused transaction is one of them).
 */
const TRANSACTION_STATUS_NAMES: Readonly<Record<number, string>> = {
  1: "Unknown",
  2: "OutOfGasLimit",
  10: "BadInstruction",
  12: "OutOfGas",
  15: "PrecompiledError",
  16: "RevertInstruction",
  18: "PermissionDenied",
  19: "CallAddressError",
  10000: "NonceCheckFail",
  10001: "BlockLimitCheckFail",
  10002: "TxPoolIsFull",
  10003: "Malformed",
  10006: "InvalidChainId",
  10007: "InvalidGroupId",
  10008: "InvalidSignature",
  10015: "InsufficientFunds",
};

/** The status code's name, undefined for a code TransactionStatus.h does not list here. */
export const transactionStatusName = (status: number): string | undefined => TRANSACTION_STATUS_NAMES[status];

/** e.g. `status 16 (RevertInstruction)`; `status 7` for a code without a name. */
export const describeTransactionStatus = (status: number): string => {
  const name = transactionStatusName(status);
  return `status ${status}${name ? ` (${name})` : ""}`;
};
