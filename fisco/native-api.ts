import { RpcError, type FiscoRpcClient } from "./rpc-client";

/**
 * The native RPC methods this project's FISCO clients call (verifier, load generator, local runner), with their documented JSON shapes (fisco-bcos-facts.md §5; FISCO
 * v3.16.4 JsonRpcImpl_2_0.cpp, BlockSync.cpp asyncGetSyncInfo, PBFTImpl.cpp asyncGetConsensusStatus).
 * Node-scoped methods take [group, nodeName, …]; nodeName "" lets the RPC pick the group's node.
 * Hashes and node ids are returned normalised: lowercase hex without 0x.
 */

export interface SyncPeer {
  readonly nodeId: string;
  readonly genesisHash: string;
  readonly blockNumber: number;
}

/** getSyncStatus: a JSON document inside a JSON string. */
export interface SyncStatus {
  readonly nodeId: string;
  readonly genesisHash: string;
  readonly blockNumber: number;
  readonly latestHash: string;
  readonly knownHighestNumber: number;
  readonly isSyncing: boolean;
  readonly peers: readonly SyncPeer[];
}

/** getConsensusStatus: also a JSON document inside a string. */
export interface ConsensusStatus {
  readonly nodeId: string;
  readonly isConsensusNode: boolean;
  readonly blockNumber: number;
  readonly view: number;
  readonly consensusNodeIds: readonly string[];
}

export interface Sealer {
  readonly nodeId: string;
  readonly weight: number;
}

export interface GroupInfo {
  readonly chainId: string;
  readonly groupId: string;
}

export interface Receipt {
  readonly status: number;
  readonly message: string;
  readonly blockNumber: number;
  readonly transactionHash: string;
  readonly contractAddress: string;
  readonly output: string;
  readonly from: string;
}

/** A block as getBlockByNumber answers it with onlyTxHash: its header's number and timestamp, its transaction hashes. */
export interface BlockSummary {
  readonly number: number;
  /** Milliseconds since the epoch, set by the sealer (SealingManager.cpp, utcTime()). */
  readonly timestamp: number;
  /** Lowercase hex without 0x. */
  readonly transactions: readonly string[];
}

/** getSystemConfigByKey: the value and the block from which it is in force. */
export interface SystemConfigValue {
  readonly value: string;
  readonly blockNumber: number;
}

/**
 * getSystemConfigByKey's error for a key that was never set, as fisco-bcos v3.16.4 answers it:
 * LedgerError::GetStorageError (3008) "Entry: <key> does not exists!" (Ledger::checkEntryValid). 3008 also reports a
 * failed storage read ("Get row: <key> failed!"), which is not "never set". LedgerError::EmptyEntry (3009) is the
 * other path's answer (asyncGetSystemConfigByKey), accepted too.
 */
export const GET_STORAGE_ERROR_CODE = 3008;
export const EMPTY_ENTRY_CODE = 3009;

/** Whether a getSystemConfigByKey error means "this key was never set". */
export function isUnsetConfigKey(error: unknown): boolean {
  if (!(error instanceof RpcError) || error.kind !== "rpc") return false;
  return error.code === EMPTY_ENTRY_CODE || (error.code === GET_STORAGE_ERROR_CODE && /does not exist/.test(error.nodeMessage ?? ""));
}

export interface CallResult {
  readonly status: number;
  readonly output: string;
  readonly blockNumber: number;
}

type Json = Record<string, unknown>;

/** Lowercase hex without 0x; "" stays "". */
export function normalizeHex(value: unknown): string {
  return typeof value === "string" ? value.replace(/^0x/i, "").toLowerCase() : "";
}

/** A hash of all zeros is what getBlockHashByNumber answers for a block the node does not have. */
export function isZeroHash(hash: string): boolean {
  return /^0*$/.test(hash);
}

function fail(node: string, method: string, what: string): never {
  throw new RpcError("protocol", node, method, `unexpected ${method} answer: ${what}`);
}

function asObject(value: unknown, node: string, method: string): Json {
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      fail(node, method, "the string result is not JSON");
    }
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) fail(node, method, "not an object");
  return value as Json;
}

function asNumber(value: unknown, node: string, method: string, field: string): number {
  const n = typeof value === "string" && /^(0x)?[0-9a-f]+$/i.test(value) ? Number(value) : value;
  if (typeof n !== "number" || !Number.isFinite(n)) fail(node, method, `${field} is not a number`);
  return n;
}

export function parseSyncStatus(result: unknown, node: string): SyncStatus {
  const m = "getSyncStatus";
  const o = asObject(result, node, m);
  const peers = Array.isArray(o.peers) ? o.peers : fail(node, m, "peers is not an array");
  return {
    nodeId: normalizeHex(o.nodeID),
    genesisHash: normalizeHex(o.genesisHash),
    blockNumber: asNumber(o.blockNumber, node, m, "blockNumber"),
    latestHash: normalizeHex(o.latestHash),
    knownHighestNumber: asNumber(o.knownHighestNumber ?? o.blockNumber, node, m, "knownHighestNumber"),
    isSyncing: o.isSyncing === true,
    peers: peers.map((p: Json) => ({
      nodeId: normalizeHex(p.nodeID),
      genesisHash: normalizeHex(p.genesisHash),
      blockNumber: asNumber(p.blockNumber, node, m, "peers[].blockNumber"),
    })),
  };
}

export function parseConsensusStatus(result: unknown, node: string): ConsensusStatus {
  const m = "getConsensusStatus";
  const o = asObject(result, node, m);
  const list = Array.isArray(o.consensusNodeList) ? o.consensusNodeList : [];
  return {
    nodeId: normalizeHex(o.nodeID),
    isConsensusNode: o.isConsensusNode === true,
    blockNumber: asNumber(o.blockNumber, node, m, "blockNumber"),
    view: asNumber(o.view ?? 0, node, m, "view"),
    consensusNodeIds: list.map((n: Json) => normalizeHex(n.nodeID)),
  };
}

export function parseSealerList(result: unknown, node: string): Sealer[] {
  const m = "getSealerList";
  if (!Array.isArray(result)) fail(node, m, "not an array");
  return result.map((s: unknown) => {
    // Older nodes answered plain node id strings; 3.x answers {nodeID, weight, termWeight}.
    if (typeof s === "string") return { nodeId: normalizeHex(s), weight: 1 };
    const o = asObject(s, node, m);
    return { nodeId: normalizeHex(o.nodeID), weight: asNumber(o.weight ?? 1, node, m, "weight") };
  });
}

/**
 * getObserverList: the group's observers as plain node id strings (JsonRpcImpl_2_0::getObserverList appends
 * `nodeID->hex()` for each CONSENSUS_OBSERVER entry, unlike getSealerList's objects); objects are tolerated too.
 */
export function parseObserverList(result: unknown, node: string): string[] {
  const m = "getObserverList";
  if (!Array.isArray(result)) fail(node, m, "not an array");
  return result.map((o: unknown) => {
    if (typeof o === "string") return normalizeHex(o);
    return normalizeHex(asObject(o, node, m).nodeID);
  });
}

export function parseReceipt(result: unknown, node: string, method: string): Receipt {
  const o = asObject(result, node, method);
  return {
    status: asNumber(o.status, node, method, "status"),
    message: typeof o.message === "string" ? o.message : "",
    blockNumber: asNumber(o.blockNumber, node, method, "blockNumber"),
    transactionHash: normalizeHex(o.transactionHash),
    contractAddress: normalizeHex(o.contractAddress),
    output: normalizeHex(o.output),
    from: normalizeHex(o.from),
  };
}

/** getBlockByNumber [group, node, n, false, true] (JsonRpcImpl_2_0.cpp toJsonResp of a block, onlyTxHash). */
export function parseBlockSummary(result: unknown, node: string): BlockSummary {
  const m = "getBlockByNumber";
  const o = asObject(result, node, m);
  const txs = Array.isArray(o.transactions) ? o.transactions : fail(node, m, "transactions is not an array");
  return {
    number: asNumber(o.number, node, m, "number"),
    timestamp: asNumber(o.timestamp, node, m, "timestamp"),
    transactions: txs.map((t: unknown) => normalizeHex(typeof t === "string" ? t : (t as Json)?.hash)),
  };
}

/** One node's native RPC, for one group. Every call takes its own timeout. */
export class NodeApi {
  constructor(
    readonly client: FiscoRpcClient,
    readonly group: string,
  ) {}

  get name(): string {
    return this.client.name;
  }

  private call<T>(method: string, extra: readonly unknown[], timeoutMs: number): Promise<T> {
    return this.client.request<T>(method, [this.group, "", ...extra], timeoutMs);
  }

  async blockNumber(timeoutMs: number): Promise<number> {
    return asNumber(await this.call("getBlockNumber", [], timeoutMs), this.name, "getBlockNumber", "result");
  }

  async syncStatus(timeoutMs: number): Promise<SyncStatus> {
    return parseSyncStatus(await this.call("getSyncStatus", [], timeoutMs), this.name);
  }

  async consensusStatus(timeoutMs: number): Promise<ConsensusStatus> {
    return parseConsensusStatus(await this.call("getConsensusStatus", [], timeoutMs), this.name);
  }

  async sealerList(timeoutMs: number): Promise<Sealer[]> {
    return parseSealerList(await this.call("getSealerList", [], timeoutMs), this.name);
  }

  /** getObserverList [group, node]: the observers' node ids (members that sync and serve clients but do not seal). */
  async observerList(timeoutMs: number): Promise<string[]> {
    return parseObserverList(await this.call("getObserverList", [], timeoutMs), this.name);
  }

  /** getGroupInfo [group]: null when the node does not serve this group. */
  async groupInfo(timeoutMs: number): Promise<GroupInfo | null> {
    const result = await this.client.request<unknown>("getGroupInfo", [this.group], timeoutMs);
    if (result === null || result === undefined || result === "") return null;
    const o = asObject(result, this.name, "getGroupInfo");
    if (typeof o.chainID !== "string" || typeof o.groupID !== "string") return null;
    return { chainId: o.chainID, groupId: o.groupID };
  }

  /** Block hash at a height, or null when the node does not have that block yet (it answers a zero hash). */
  async blockHash(height: number, timeoutMs: number): Promise<string | null> {
    const hash = normalizeHex(await this.call("getBlockHashByNumber", [height], timeoutMs));
    return hash === "" || isZeroHash(hash) ? null : hash;
  }

  /** sendTransaction blocks until the transaction is in a block, then answers its receipt. */
  async sendTransaction(txHex: string, timeoutMs: number): Promise<Receipt> {
    return parseReceipt(await this.call("sendTransaction", [txHex, false], timeoutMs), this.name, "sendTransaction");
  }

  async receipt(txHash: string, timeoutMs: number): Promise<Receipt> {
    return parseReceipt(await this.call("getTransactionReceipt", [txHash, false], timeoutMs), this.name, "getTransactionReceipt");
  }

  /** The block at `height` with its transaction hashes (not the transactions themselves). */
  async blockSummary(height: number, timeoutMs: number): Promise<BlockSummary> {
    return parseBlockSummary(await this.call("getBlockByNumber", [height, false, true], timeoutMs), this.name);
  }

  /** getSystemConfigByKey [group, node, key] (also the feature switches); null when the key was never set. */
  async systemConfig(key: string, timeoutMs: number): Promise<SystemConfigValue | null> {
    let result: unknown;
    try {
      result = await this.call("getSystemConfigByKey", [key], timeoutMs);
    } catch (error) {
      if (isUnsetConfigKey(error)) return null;
      throw error;
    }
    const o = asObject(result, this.name, "getSystemConfigByKey");
    return { value: String(o.value ?? ""), blockNumber: asNumber(o.blockNumber, this.name, "getSystemConfigByKey", "blockNumber") };
  }

  /** A read-only call against the node's latest state. */
  async callContract(to: string, data: string, timeoutMs: number): Promise<CallResult> {
    const o = asObject(await this.call("call", [to, data], timeoutMs), this.name, "call");
    return {
      status: asNumber(o.status, this.name, "call", "status"),
      output: normalizeHex(o.output),
      blockNumber: asNumber(o.blockNumber ?? 0, this.name, "call", "blockNumber"),
    };
  }
}
