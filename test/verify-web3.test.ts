import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { Interface, JsonRpcProvider, Network, Wallet, type TransactionReceipt } from "ethers";
import { runCli } from "../verify/cli";
import { Deadline } from "../verify/deadline";
import { assemble } from "../fisco/evm-assembler";
import { GET_SELECTOR, PROBE_ABI, PROBE_CREATION_CODE, PROBE_RUNTIME_CODE, SET_SELECTOR, decodeGet, encodeGet, encodeSet } from "../verify/probe/probe";
import type { VerificationReport } from "../verify/report";
import { FISCO_ETHERS_OPTIONS, runWeb3Probe } from "../verify/web3-probe";
import { FiscoRpcDouble } from "../doubles/fisco-rpc-double";
import { chainFixture } from "../doubles/chain-fixture";
import { startHardhatNode, type HardhatNode } from "../doubles/hardhat-node";

/*
 * The web3 path with ethers v6 against a REAL Ethereum JSON-RPC node (hardhat 2, started and stopped here), and the
 * hand-assembled probe contract executed by a real EVM.
 */

let node: HardhatNode;
let provider: JsonRpcProvider;

before(async () => {
  node = await startHardhatNode();
  const network = Network.from(node.chainId);
  provider = new JsonRpcProvider(node.url, network, { ...FISCO_ETHERS_OPTIONS, staticNetwork: network });
});

after(async () => {
  provider?.destroy();
  await node?.stop();
});

/** A fresh key with some balance on the hardhat chain (its key stays in memory). */
async function fundedWallet(): Promise<Wallet> {
  const wallet = Wallet.createRandom().connect(provider) as unknown as Wallet;
  await node.rpc("hardhat_setBalance", [wallet.address, "0xde0b6b3a7640000"]);
  return wallet;
}

async function send(wallet: Wallet, tx: { to?: string; data: string; value?: bigint }): Promise<TransactionReceipt> {
  const gasPrice = BigInt(await provider.send("eth_gasPrice", []));
  const sent = await wallet.sendTransaction({ type: 0, gasPrice, gasLimit: 500_000n, ...tx });
  const receipt = await provider.getTransactionReceipt(sent.hash);
  assert.ok(receipt, "hardhat mines at once");
  return receipt;
}

describe("the probe contract (hand-assembled EVM) on a real EVM", () => {
  test("probe.ts holds exactly what assembling probe.asm gives", () => {
    const assembled = assemble(readFileSync(join(__dirname, "..", "verify", "probe", "probe.asm"), "utf8"));
    assert.equal(assembled.creation, PROBE_CREATION_CODE, `regenerate probe.ts: ${assembled.creation}`);
    assert.equal(assembled.runtime, PROBE_RUNTIME_CODE);
    const code = Buffer.from(assembled.runtime.slice(2), "hex");
    const opcodes: number[] = [];
    for (let i = 0; i < code.length; i++) {
      opcodes.push(code[i]);
      if (code[i] >= 0x60 && code[i] <= 0x7f) i += code[i] - 0x5f; // skip PUSHn data
    }
    assert.ok(!opcodes.includes(0x5f), "no PUSH0: runs on pre-Shanghai EVMs, FISCO's included");
    assert.ok(
      opcodes.every(
        (op) =>
          [0x00, 0x10, 0x14, 0x15, 0x1c, 0x34, 0x35, 0x36, 0x50, 0x52, 0x54, 0x55, 0x57, 0x5b, 0x80, 0xf3, 0xfd].includes(op) || (op >= 0x60 && op <= 0x7f),
      ),
      opcodes.map((o) => o.toString(16)).join(" "),
    );
  });

  test("the ABI (Probe.sol) and the hand encoders agree", () => {
    const abi = new Interface(PROBE_ABI);
    assert.equal(abi.getFunction("set")!.selector, `0x${SET_SELECTOR}`);
    assert.equal(abi.getFunction("get")!.selector, `0x${GET_SELECTOR}`);
    assert.equal(encodeSet(123456789n), abi.encodeFunctionData("set", [123456789n]));
    assert.equal(encodeGet(), abi.encodeFunctionData("get", []));
    assert.equal(decodeGet(abi.encodeFunctionResult("get", [2n ** 255n])), 2n ** 255n);
    assert.throws(() => decodeGet("0x1234"), /returned 2 bytes, expected 32/);
  });

  test("deploy, get() = 0, set(v), get() = v; set(0), short calldata, unknown selectors and value all revert", async () => {
    const wallet = await fundedWallet();
    const deployed = await send(wallet, { data: PROBE_CREATION_CODE });
    assert.equal(deployed.status, 1);
    const address = deployed.contractAddress!;
    assert.equal(await provider.getCode(address), PROBE_RUNTIME_CODE);
    const get = async () => decodeGet(await provider.call({ to: address, data: encodeGet() }));
    assert.equal(await get(), 0n);
    assert.equal((await send(wallet, { to: address, data: encodeSet(2n ** 200n + 7n) })).status, 1);
    assert.equal(await get(), 2n ** 200n + 7n);
    assert.equal((await send(wallet, { to: address, data: encodeSet(0n) })).status, 0, "require(v != 0)");
    assert.equal((await send(wallet, { to: address, data: encodeSet(5n).slice(0, 2 + 8 + 62) })).status, 0, "31-byte argument");
    assert.equal((await send(wallet, { to: address, data: "0xdeadbeef" })).status, 0, "unknown selector");
    assert.equal((await send(wallet, { to: address, data: "0x60fe47" })).status, 0, "no full selector");
    assert.equal((await send(wallet, { to: address, data: encodeSet(9n), value: 1n })).status, 0, "non-payable");
    assert.equal(await get(), 2n ** 200n + 7n, "failed writes changed nothing");
  });
});

describe("the web3 probe (ethers v6)", () => {
  const endpoints = () => ["a", "b", "c"].map((name) => ({ name, url: node.url }));
  const probe = (privateKey?: string, value?: bigint) =>
    runWeb3Probe({ endpoints: endpoints(), privateKey, deadline: new Deadline(20_000), reserveMs: 500, progress: () => undefined, value });

  test("a funded sender: deploy via one endpoint, set via the next, eth_call get() via the third", async () => {
    const wallet = await fundedWallet();
    const before = await provider.getBlockNumber();
    const outcome = await probe(wallet.privateKey);
    assert.equal(outcome.check.status, "pass", outcome.check.problems.join("\n"));
    const p = outcome.probe!;
    assert.equal(p.sender, wallet.address.toLowerCase());
    assert.deepEqual(p.via, { deploy: "a", set: "b", get: "c" });
    assert.equal(p.deployBlockNumber, before + 1);
    assert.equal(p.blockNumber, before + 2);
    const receipt = await provider.getTransactionReceipt(p.txHash);
    assert.equal(receipt?.to?.toLowerCase(), p.contractAddress);
    assert.equal(decodeGet(await provider.call({ to: p.contractAddress, data: encodeGet() })).toString(), p.value);
    assert.match(outcome.check.summary, new RegExp(`set\\(${p.value}\\) in block ${p.blockNumber} via b, eth_call get\\(\\) via c = ${p.value}`));
  });

  test("a zero-balance sender is refused, and the message explains FISCO v3.16.4's balance rule", async () => {
    const outcome = await probe();
    assert.equal(outcome.check.status, "fail");
    assert.match(
      outcome.check.problems[0],
      /^deploy via a rejected: .*enough funds.*; the sender 0x[0-9a-f]{40} has balance 0 and FISCO v3.16.4 rejects web3 transactions from zero-balance senders/,
    );
  });

  test("a reverting write is reported with its block and transaction", async () => {
    const wallet = await fundedWallet();
    const outcome = await probe(wallet.privateKey, 0n);
    assert.equal(outcome.check.status, "fail");
    assert.match(outcome.check.problems[0], /^set\(0\) via b reverted in block \d+ \(receipt status 0, tx 0x[0-9a-f]{64}\)$/);
  });

  test("an endpoint that does not speak web3 (or is off) is named", async () => {
    const outcome = await runWeb3Probe({
      endpoints: [{ name: "node0", url: "http://127.0.0.1:9" }],
      deadline: new Deadline(3_000),
      reserveMs: 200,
      progress: () => undefined,
    });
    assert.equal(outcome.check.status, "fail");
    assert.match(outcome.check.problems[0], /^node0: http:\/\/127.0.0.1:9 does not answer eth_chainId .*\[web3_rpc\] enable=true/);
  });
});

describe("the CLI with --web3 and a funded key file", () => {
  let double: FiscoRpcDouble;
  let sdkDir: string;
  let keyHex: string;

  before(async () => {
    const fixture = await chainFixture(4);
    double = await FiscoRpcDouble.start({ ca: fixture.ca, nodes: fixture.nodes, initialHeight: 2, sealTimeMs: 20, syncDelayMs: 10 });
    sdkDir = mkdtempSync(join(tmpdir(), "verify-web3-sdk-"));
    writeFileSync(join(sdkDir, "ca.crt"), fixture.sdk.ca);
    writeFileSync(join(sdkDir, "sdk.crt"), fixture.sdk.cert);
    writeFileSync(join(sdkDir, "sdk.key"), fixture.sdk.key, { mode: 0o600 });
    const endpoints = JSON.parse(fixture.endpointsJson);
    endpoints.rpc.nodes = double.endpoints();
    endpoints.web3 = { service: node.url, nodes: { node0: node.url, node1: node.url } };
    writeFileSync(join(sdkDir, "endpoints.json"), JSON.stringify(endpoints));
    const wallet = await fundedWallet();
    keyHex = wallet.privateKey;
    writeFileSync(join(sdkDir, "web3.key"), keyHex, { mode: 0o600 });
  });
  after(() => double?.close());

  test("native and web3 probes both pass; the key is used, never printed", async () => {
    let stdout = "";
    let stderr = "";
    const code = await runCli(["--sdk-dir", sdkDir, "--web3", "sdk", "--web3-key-file", join(sdkDir, "web3.key"), "--json", "--timeout", "30"], {
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
    });
    assert.equal(code, 0, stdout + stderr);
    const report = JSON.parse(stdout) as VerificationReport;
    assert.equal(report.checks.at(-1)?.name, "web3-probe");
    assert.equal(report.checks.at(-1)?.status, "pass");
    assert.equal(report.web3Probe?.sender, new Wallet(keyHex).address.toLowerCase());
    assert.notEqual(report.web3Probe?.sender, report.probe?.sender, "the native probe still uses its own throwaway key");
    assert.deepEqual(report.web3Probe?.via, { deploy: "node0", set: "node1", get: "node0" });
    assert.ok(!(stdout + stderr).includes(keyHex.slice(2)), "the web3 key appears in the output");
  });
});
