/**
 * What FISCO's answers to a membership change mean, from its source (v3.16.4):
 *
 * - the int32 the consensus precompiled contract returns (bcos-executor/src/precompiled/common/Common.h
 *   PrecompiledErrorCode; messages as the Java SDK words them, model/PrecompiledRetCode.java);
 * - the receipt status (bcos-protocol TransactionStatus.h) when the call failed as a transaction.
 */

export const CONSENSUS_CODES = {
  CODE_SUCCESS: 0,
  CODE_NO_AUTHORIZED: -50000,
  CODE_INVALID_NODE_ID: -51100,
  CODE_LAST_SEALER: -51101,
  CODE_INVALID_WEIGHT: -51102,
  CODE_NODE_NOT_EXIST: -51103,
  CODE_ADD_SEALER_SHOULD_IN_OBSERVER: -51104,
} as const;

const MESSAGES: Readonly<Record<number, [name: string, message: string]>> = {
  [CONSENSUS_CODES.CODE_NO_AUTHORIZED]: [
    "CODE_NO_AUTHORIZED",
    "Permission denied: with auth checking on, only the committee contract may call the consensus precompiled contract (send a committee proposal)",
  ],
  [CONSENSUS_CODES.CODE_INVALID_NODE_ID]: ["CODE_INVALID_NODE_ID", "Invalid node ID (must be 128 hex characters, the content of node.nodeid)"],
  [CONSENSUS_CODES.CODE_LAST_SEALER]: ["CODE_LAST_SEALER", "The last sealer cannot be removed"],
  [CONSENSUS_CODES.CODE_INVALID_WEIGHT]: ["CODE_INVALID_WEIGHT", "The weight is invalid (a sealer's weight must be greater than 0)"],
  [CONSENSUS_CODES.CODE_NODE_NOT_EXIST]: ["CODE_NODE_NOT_EXIST", "The node is not exist (neither a sealer nor an observer)"],
  [CONSENSUS_CODES.CODE_ADD_SEALER_SHOULD_IN_OBSERVER]: [
    "CODE_ADD_SEALER_SHOULD_IN_OBSERVER",
    "Only observer can be set in sealer (add the node as an observer first)",
  ],
};

/** e.g. `-51104 CODE_ADD_SEALER_SHOULD_IN_OBSERVER: Only observer can be set in sealer (…)`. */
export function describeCode(code: number): string {
  const known = MESSAGES[code];
  return known ? `${code} ${known[0]}: ${known[1]}` : `${code} (an error code FISCO's consensus precompiled contract does not document)`;
}
