import { randomBytes } from "node:crypto";
import { scalarFromSeed } from "../chain/keys";
import { sleep, type Deadline } from "./deadline";
import type { NodeApi, Receipt } from "../fisco/native-api";
import { randomNonce, signTransaction, type TransactionData } from "../fisco/native-tx";
import { PROBE_ABI, PROBE_CREATION_CODE, decodeGet, encodeGet, encodeSet } from "./probe/probe";
import type { CheckResult, ProbeResult } from "./report";
import { RpcError } from "../fisco/rpc-client";
import { describeTransactionStatus, transactionStatusName } from "../fisco/transaction-status";

/**
 * The native test transaction: from a throwaway secp256k1 key (no balance and, with auth check off, no permission
 * needed), deploy the probe through one node, write set(value) through a second, read get() through a third with
 * `call`, and fetch the write's receipt from that third node. Works on every 3.x version with the same tars layout
 * (v3.9.0 … v3.16.4, fisco-native-transactions.md §8).
 */

export interface NativeProbeOptions {
  /** The node that takes the deploy: the first to answer, so the probe starts while the others still connect. */
  readonly deployer: NodeApi;
  /** Every node that answered (the deployer included), once known; the write and the read rotate through them. */
  readonly nodes: Promise<readonly NodeApi[]>;
  /** The deployer's height when known (from its snapshot a moment ago); read from the node otherwise. */
  readonly startHeight?: number;
  readonly chainId: string;
  readonly groupId: string;
  readonly deadline: Deadline;
  /** Time kept back for the checks after the probe. */
  readonly reserveMs: number;
  readonly progress: (line: string) => void;
  /** The value to write; random and non-zero unless a test forces one (0 makes the probe revert). */
  readonly value?: bigint;
}

export interface ProbeOutcome {
  readonly check: CheckResult;
  readonly probe: ProbeResult | null;
  /** The deployer's height just before the deploy (null when it could not be read). */
  readonly startHeight?: number | null;
}

class ProbeFailure extends Error {}

/** A fresh secp256k1 private key that exists only for this run. */
export function throwawayKey(): string {
  return `0x${scalarFromSeed(randomBytes(32).toString("hex")).toString("hex")}`;
}

/** 1 … 2^63: never 0, which the probe rejects. */
export function randomValue(): bigint {
  return (randomBytes(8).readBigUInt64BE() >> 1n) + 1n;
}

async function send(
  api: NodeApi,
  what: string,
  tx: TransactionData,
  key: string,
  options: NativeProbeOptions,
): Promise<{ receipt: Receipt; hash: string; sender: string }> {
  const signed = signTransaction(tx, key, { attribute: 1 });
  let receipt: Receipt;
  try {
    receipt = await api.sendTransaction(signed.hex, options.deadline.budget(Number.MAX_SAFE_INTEGER, options.reserveMs));
  } catch (error) {
    if (error instanceof RpcError && error.kind === "timeout")
      throw new ProbeFailure(`${what} via ${api.name}: no receipt in time (${error.message}); the chain is not sealing blocks or the node is stuck`);
    if (error instanceof RpcError && error.kind === "rpc" && error.code !== undefined && transactionStatusName(error.code)) {
      throw new ProbeFailure(`${what} via ${api.name} rejected: ${describeTransactionStatus(error.code)}: ${error.message}`);
    }
    throw new ProbeFailure(`${what} via ${api.name} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (receipt.transactionHash && receipt.transactionHash !== signed.hash.slice(2)) {
    throw new ProbeFailure(
      `${what} via ${api.name}: the node reports transaction hash 0x${receipt.transactionHash}, we computed ${signed.hash}: the encoding or hashing disagrees with this FISCO version`,
    );
  }
  if (receipt.status !== 0) {
    throw new ProbeFailure(
      `${what} via ${api.name} reverted in block ${receipt.blockNumber}: ${describeTransactionStatus(receipt.status)}${receipt.message ? `, ${receipt.message}` : ""} (tx ${signed.hash})`,
    );
  }
  if (receipt.from && receipt.from !== signed.sender.slice(2).toLowerCase()) {
    throw new ProbeFailure(
      `${what} via ${api.name}: the node recovered sender 0x${receipt.from}, we signed as ${signed.sender}: the signature layout disagrees with this FISCO version`,
    );
  }
  return { receipt, hash: signed.hash, sender: signed.sender };
}

/**
 * The read goes through a node that has the block: the preferred reader (the first candidate) once it has it, or,
 * if it is still behind after a second, the first of the others that has it.
 */
async function firstWithHeight(candidates: readonly NodeApi[], height: number, options: NativeProbeOptions): Promise<NodeApi> {
  const last = new Map<string, number>();
  const since = Date.now();
  for (;;) {
    const asked = Date.now() - since < 1_000 ? candidates.slice(0, 1) : candidates;
    const heights = await Promise.all(
      asked.map((api) => api.blockNumber(options.deadline.budget(5_000, options.reserveMs)).catch(() => last.get(api.name) ?? -1)),
    );
    asked.forEach((api, i) => last.set(api.name, heights[i]));
    const ready = asked.find((_, i) => heights[i] >= height);
    if (ready) return ready;
    if (options.deadline.remaining() <= options.reserveMs) {
      throw new ProbeFailure(
        `no node other than the writer reached block ${height} in time (${candidates.map((c) => `${c.name} at ${last.get(c.name) ?? "?"}`).join(", ")})`,
      );
    }
    await sleep(Math.min(100, options.deadline.remaining() - options.reserveMs));
  }
}

/** Writer and readers: the deployer first, then the others in order; the writer reads back only on a one-node chain. */
function roles(deployer: NodeApi, nodes: readonly NodeApi[]): { writer: NodeApi; readers: NodeApi[] } {
  const apis = [deployer, ...nodes.filter((api) => api !== deployer)];
  const writer = apis[1 % apis.length];
  const readers = [...apis.slice(2), ...apis.slice(0, 2)].filter((api) => api !== writer || apis.length === 1);
  return { writer, readers };
}

/** get() and the write's receipt through a node that did not take the write. */
async function readBack(
  reader: NodeApi,
  writer: NodeApi,
  contract: string,
  value: bigint,
  write: { receipt: Receipt; hash: string },
  options: NativeProbeOptions,
): Promise<void> {
  const budget = () => options.deadline.budget(10_000, options.reserveMs);
  const [read, again] = await Promise.all([reader.callContract(contract, encodeGet(), budget()), reader.receipt(write.hash, budget())]);
  if (read.status !== 0) throw new ProbeFailure(`get() via ${reader.name}: ${describeTransactionStatus(read.status)}`);
  const got = decodeGet(read.output);
  if (got !== value) throw new ProbeFailure(`get() via ${reader.name} returned ${got}, expected ${value}`);
  if (again.blockNumber !== write.receipt.blockNumber || again.status !== 0) {
    throw new ProbeFailure(
      `${reader.name} has the receipt of ${write.hash} in block ${again.blockNumber} with ${describeTransactionStatus(again.status)}, ${writer.name} said block ${write.receipt.blockNumber}`,
    );
  }
}

async function probe(options: NativeProbeOptions, started: { height: number | null }): Promise<ProbeResult> {
  const { deployer } = options;
  const key = throwawayKey();
  const tx = (blockLimit: number, to: string, input: Buffer, abi = ""): TransactionData => ({
    version: 0,
    chainId: options.chainId,
    groupId: options.groupId,
    blockLimit,
    nonce: randomNonce(randomBytes),
    to,
    input,
    abi,
  });
  const start = options.startHeight ?? (await deployer.blockNumber(options.deadline.budget(10_000, options.reserveMs)));
  started.height = start;

  options.progress(`probe: deploying the probe contract through ${deployer.name} (block ${start})`);
  const deploy = await send(deployer, "deploy", tx(start + 500, "", Buffer.from(PROBE_CREATION_CODE.slice(2), "hex"), JSON.stringify(PROBE_ABI)), key, options);
  if (!deploy.receipt.contractAddress) throw new ProbeFailure(`deploy via ${deployer.name}: the receipt has no contractAddress`);
  const contract = `0x${deploy.receipt.contractAddress}`;

  const { writer, readers } = roles(deployer, await options.nodes);
  const value = options.value ?? randomValue();
  options.progress(`probe: contract ${contract} in block ${deploy.receipt.blockNumber}; set(${value}) through ${writer.name}`);
  const write = await send(
    writer,
    `set(${value})`,
    tx(deploy.receipt.blockNumber + 500, contract, Buffer.from(encodeSet(value).slice(2), "hex")),
    key,
    options,
  );

  const reader = await firstWithHeight(readers, write.receipt.blockNumber, options);
  options.progress(`probe: set in block ${write.receipt.blockNumber}; reading back through ${reader.name}`);
  await readBack(reader, writer, contract, value, write, options);
  return {
    contractAddress: contract,
    txHash: write.hash,
    blockNumber: write.receipt.blockNumber,
    deployTxHash: deploy.hash,
    deployBlockNumber: deploy.receipt.blockNumber,
    sender: deploy.sender,
    value: value.toString(),
    via: { deploy: deployer.name, set: writer.name, get: reader.name },
  };
}

export async function runNativeProbe(options: NativeProbeOptions): Promise<ProbeOutcome> {
  const started: { height: number | null } = { height: null };
  try {
    const p = await probe(options, started);
    const summary = `deployed ${p.contractAddress} (block ${p.deployBlockNumber}, via ${p.via.deploy}), set(${p.value}) in block ${p.blockNumber} via ${p.via.set}, get() via ${p.via.get} = ${p.value}`;
    return { check: { name: "probe", status: "pass", summary, problems: [] }, probe: p, startHeight: started.height };
  } catch (error) {
    const message =
      error instanceof ProbeFailure || error instanceof RpcError
        ? error.message
        : `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
    return {
      check: { name: "probe", status: "fail", summary: "the native test transaction did not complete", problems: [message] },
      probe: null,
      startHeight: started.height,
    };
  }
}
