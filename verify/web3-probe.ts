import { FetchRequest, JsonRpcProvider, Network, Wallet, type TransactionReceipt } from "ethers";
import { sleep, type Deadline } from "./deadline";
import type { ProbeOutcome } from "./native-probe";
import { randomValue, throwawayKey } from "./native-probe";
import { PROBE_CREATION_CODE, decodeGet, encodeGet, encodeSet } from "./probe/probe";
import type { ProbeResult } from "./report";
import type { RpcEndpoint } from "../fisco/rpc-client";

/**
 * The web3 test transaction with ethers v6 (FISCO web3 RPC, port 8545, v3.9.0 and later): deploy the probe through
 * one node, set(value) through a second, read get() back through a third, waiting for each receipt.
 * FISCO v3.16.4 rejects eth_sendRawTransaction from a zero-balance sender even at gas price 0, so on that version
 * this needs a funded key (`web3PrivateKey`); v3.9.0–v3.16.3 accept a zero-balance sender at gas price 0.
 */

export interface Web3ProbeOptions {
  readonly endpoints: readonly RpcEndpoint[];
  /** A funded account's key (0x-hex); a throwaway zero-balance key when absent. */
  readonly privateKey?: string;
  readonly deadline: Deadline;
  readonly reserveMs: number;
  readonly progress: (line: string) => void;
  readonly value?: bigint;
}

/** Provider options FISCO needs: no chain-id polling, no result cache, batches of at most 8 requests. */
export const FISCO_ETHERS_OPTIONS = { staticNetwork: true, cacheTimeout: -1, batchMaxCount: 8 } as const;

const DEPLOY_GAS = 1_000_000n;
const CALL_GAS = 200_000n;

class Web3Failure extends Error {}

function request(url: string, timeoutMs: number): FetchRequest {
  const req = new FetchRequest(url);
  req.timeout = Math.max(1, timeoutMs);
  return req;
}

/** eth_chainId with a plain request, so no provider ever loops on network detection against a dead endpoint. */
async function chainIdOf(endpoint: RpcEndpoint, timeoutMs: number): Promise<bigint> {
  const req = request(endpoint.url, timeoutMs);
  req.body = { jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] };
  req.setHeader("content-type", "application/json");
  const res = await req.send();
  res.assertOk();
  const body = res.bodyJson as { result?: string; error?: { message?: string } };
  if (!body.result) throw new Web3Failure(`${endpoint.name}: eth_chainId failed: ${body.error?.message ?? "no result"}`);
  return BigInt(body.result);
}

/** The node's own words when ethers wraps them ("could not coalesce error" carries the RPC error in `error`). */
function web3Reason(error: unknown): string {
  const e = error as { shortMessage?: string; message?: string; error?: { message?: string; code?: number }; info?: { error?: { message?: string } } };
  const rpc = e.error?.message ?? e.info?.error?.message;
  const head = e.shortMessage ?? e.message ?? String(error);
  const text = rpc && !head.includes(rpc) ? (head === "could not coalesce error" ? rpc : `${head}: ${rpc}`) : head;
  return `${text}${e.error?.code !== undefined ? ` (code ${e.error.code})` : ""}`.slice(0, 300);
}

const reason = web3Reason;

async function waitForReceipt(provider: JsonRpcProvider, name: string, hash: string, what: string, options: Web3ProbeOptions): Promise<TransactionReceipt> {
  for (;;) {
    const receipt = await provider.getTransactionReceipt(hash).catch(() => null);
    if (receipt) return receipt;
    if (options.deadline.remaining() <= options.reserveMs) throw new Web3Failure(`${what} via ${name}: no receipt for ${hash} in time`);
    await sleep(Math.min(250, options.deadline.remaining() - options.reserveMs));
  }
}

async function probe(options: Web3ProbeOptions, providers: JsonRpcProvider[]): Promise<ProbeResult> {
  const { endpoints } = options;
  const [a, b, c] = [0, 1 % endpoints.length, 2 % endpoints.length];
  const wallet = new Wallet(options.privateKey ?? throwawayKey());
  const sender = wallet.address.toLowerCase();
  const [chainId, gasPrice, balance, nonce] = await Promise.all([
    providers[a].send("eth_chainId", []).then(BigInt),
    providers[a].send("eth_gasPrice", []).then(BigInt),
    providers[a].getBalance(sender),
    providers[a].getTransactionCount(sender, "pending"),
  ]);
  const base = { type: 0, gasPrice, chainId } as const;
  const sendFailure = (what: string, name: string, error: unknown) => {
    const funds =
      balance === 0n
        ? `; the sender ${sender} has balance 0 and FISCO v3.16.4 rejects web3 transactions from zero-balance senders: pass a funded key (--web3-key-file), or rely on the native probe`
        : "";
    return new Web3Failure(`${what} via ${name} rejected: ${reason(error)}${funds}`);
  };

  options.progress(`web3 probe: deploying through ${endpoints[a].name} (chain id ${chainId}, gas price ${gasPrice}, sender balance ${balance})`);
  const deployTx = await wallet
    .connect(providers[a])
    .sendTransaction({ ...base, nonce, data: PROBE_CREATION_CODE, gasLimit: DEPLOY_GAS })
    .catch((e) => {
      throw sendFailure("deploy", endpoints[a].name, e);
    });
  const deployed = await waitForReceipt(providers[a], endpoints[a].name, deployTx.hash, "deploy", options);
  if (deployed.status !== 1 || !deployed.contractAddress)
    throw new Web3Failure(`deploy via ${endpoints[a].name} failed in block ${deployed.blockNumber} (receipt status ${deployed.status}, tx ${deployTx.hash})`);
  const contract = deployed.contractAddress.toLowerCase();

  const value = options.value ?? randomValue();
  options.progress(`web3 probe: contract ${contract} in block ${deployed.blockNumber}; set(${value}) through ${endpoints[b].name}`);
  const setTx = await wallet
    .connect(providers[b])
    .sendTransaction({ ...base, nonce: nonce + 1, to: contract, data: encodeSet(value), gasLimit: CALL_GAS })
    .catch((e) => {
      throw sendFailure(`set(${value})`, endpoints[b].name, e);
    });
  const written = await waitForReceipt(providers[b], endpoints[b].name, setTx.hash, `set(${value})`, options);
  if (written.status !== 1)
    throw new Web3Failure(
      `set(${value}) via ${endpoints[b].name} reverted in block ${written.blockNumber} (receipt status ${written.status}, tx ${setTx.hash})`,
    );

  options.progress(`web3 probe: set in block ${written.blockNumber}; reading back through ${endpoints[c].name}`);
  while ((await providers[c].getBlockNumber()) < written.blockNumber) {
    if (options.deadline.remaining() <= options.reserveMs) throw new Web3Failure(`${endpoints[c].name} did not reach block ${written.blockNumber} in time`);
    await sleep(200);
  }
  const got = decodeGet(await providers[c].call({ to: contract, data: encodeGet() }));
  if (got !== value) throw new Web3Failure(`get() via ${endpoints[c].name} returned ${got}, expected ${value}`);
  return {
    contractAddress: contract,
    txHash: setTx.hash,
    blockNumber: written.blockNumber,
    deployTxHash: deployTx.hash,
    deployBlockNumber: deployed.blockNumber,
    sender,
    value: value.toString(),
    via: { deploy: endpoints[a].name, set: endpoints[b].name, get: endpoints[c].name },
  };
}

export async function runWeb3Probe(options: Web3ProbeOptions): Promise<ProbeOutcome> {
  const providers: JsonRpcProvider[] = [];
  try {
    if (options.endpoints.length === 0) throw new Web3Failure("no web3 endpoint given");
    const timeout = options.deadline.budget(30_000, options.reserveMs);
    const chainId = await chainIdOf(options.endpoints[0], timeout).catch((e) => {
      throw e instanceof Web3Failure
        ? e
        : new Web3Failure(
            `${options.endpoints[0].name}: ${options.endpoints[0].url} does not answer eth_chainId (${reason(e)}); is [web3_rpc] enable=true (FISCO ≥ v3.9.0)?`,
          );
    });
    const network = Network.from(chainId);
    for (const e of options.endpoints)
      providers.push(new JsonRpcProvider(request(e.url, timeout), network, { ...FISCO_ETHERS_OPTIONS, staticNetwork: network }));
    const p = await probe(options, providers);
    const summary = `deployed ${p.contractAddress} (block ${p.deployBlockNumber}, via ${p.via.deploy}), set(${p.value}) in block ${p.blockNumber} via ${p.via.set}, eth_call get() via ${p.via.get} = ${p.value}`;
    return { check: { name: "web3-probe", status: "pass", summary, problems: [] }, probe: p };
  } catch (error) {
    const message = error instanceof Web3Failure ? error.message : `unexpected error: ${reason(error)}`;
    return { check: { name: "web3-probe", status: "fail", summary: "the web3 test transaction did not complete", problems: [message] }, probe: null };
  } finally {
    for (const p of providers) p.destroy();
  }
}
