/**
 * The hook through which FiscoRpcDouble (a TEST DOUBLE of FISCO's native RPC) hands transactions and calls to a
 * system contract simulated in its own module (e.g. doubles/consensus-precompiled.ts). The double owns the chain's
 * membership table; a contract reads it and, for a transaction, may answer a new one, which the double then serves
 * through getSealerList and getObserverList.
 */

export interface MembershipTable {
  readonly sealers: readonly { readonly nodeId: string; readonly weight: number }[];
  readonly observers: readonly string[];
}

export interface SystemCallContext {
  readonly input: Buffer;
  /** 0x-address recovered from the transaction's signature (lowercase); "" for a read-only `call`. */
  readonly sender: string;
  /** The block the transaction is executed in (for a `call`: the node's current height). */
  readonly blockNumber: number;
  /** true for a transaction, false for a read-only `call` (which must change nothing). */
  readonly write: boolean;
  readonly membership: MembershipTable;
}

export interface ReceiptLog {
  /** 40 hex digits, no 0x, as FISCO's receipts carry a log's address. */
  readonly address: string;
  readonly topics: readonly string[];
  readonly data: string;
}

export interface SystemCallResult {
  /** Receipt status (TransactionStatus.h): 0 success, 15 PrecompiledError, 16 RevertInstruction. */
  readonly status: number;
  readonly output: string;
  readonly message: string;
  readonly logEntries?: readonly ReceiptLog[];
  /** The membership after a successful transaction that changed it. */
  readonly membership?: MembershipTable;
}

export interface SystemContract {
  /** 40 lowercase hex digits without 0x, as the Java SDK writes precompiled addresses. */
  readonly address: string;
  execute(context: SystemCallContext): SystemCallResult;
}
