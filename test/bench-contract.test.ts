import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { Interface, JsonRpcProvider, Network, Wallet, type TransactionReceipt } from "ethers";
import { BENCH_ABI, BENCH_CREATION_CODE, BENCH_RUNTIME_CODE, BENCH_SELECTORS, encodeWrite, encodeWrites } from "../bench/contract/bench-contract";
import { assemble } from "../fisco/evm-assembler";
import { decodeUint256 } from "../fisco/precompiled";
import { FISCO_ETHERS_OPTIONS } from "../verify/web3-probe";
import { startHardhatNode, type HardhatNode } from "../doubles/hardhat-node";

/* The load generator's benchmark contract (bench/contract/): hand-assembled EVM, run by a real EVM (hardhat 2). */

let node: HardhatNode;
let provider: JsonRpcProvider;
let wallet: Wallet;

before(async () => {
  node = await startHardhatNode();
  const network = Network.from(node.chainId);
  provider = new JsonRpcProvider(node.url, network, { ...FISCO_ETHERS_OPTIONS, staticNetwork: network });
  wallet = Wallet.createRandom().connect(provider) as unknown as Wallet;
  await node.rpc("hardhat_setBalance", [wallet.address, "0xde0b6b3a7640000"]);
});

after(async () => {
  provider?.destroy();
  await node?.stop();
});

async function send(tx: { to?: string; data: string; value?: bigint }): Promise<TransactionReceipt> {
  const gasPrice = BigInt(await provider.send("eth_gasPrice", []));
  const sent = await wallet.sendTransaction({ type: 0, gasPrice, gasLimit: 500_000n, ...tx });
  return (await provider.getTransactionReceipt(sent.hash))!;
}

describe("the benchmark contract", () => {
  test("bench-contract.ts holds exactly what assembling bench.asm gives; no PUSH0", () => {
    const assembled = assemble(readFileSync(join(__dirname, "..", "bench", "contract", "bench.asm"), "utf8"));
    assert.equal(assembled.creation, BENCH_CREATION_CODE, `regenerate bench-contract.ts: ${assembled.creation}`);
    assert.equal(assembled.runtime, BENCH_RUNTIME_CODE);
    const code = Buffer.from(BENCH_RUNTIME_CODE.slice(2), "hex");
    const opcodes: number[] = [];
    for (let i = 0; i < code.length; i++) {
      opcodes.push(code[i]);
      if (code[i] >= 0x60 && code[i] <= 0x7f) i += code[i] - 0x5f; // skip PUSHn data
    }
    assert.ok(!opcodes.includes(0x5f), "no PUSH0: runs on pre-Shanghai EVMs, FISCO's included");
  });

  test("the ABI (Bench.sol) and the hand encoders agree", () => {
    const abi = new Interface(BENCH_ABI);
    assert.equal(abi.getFunction("write")!.selector, `0x${BENCH_SELECTORS.write}`);
    assert.equal(abi.getFunction("writes")!.selector, `0x${BENCH_SELECTORS.writes}`);
    assert.equal(abi.getFunction("total")!.selector, `0x${BENCH_SELECTORS.total}`);
    assert.equal(`0x${encodeWrite(1023, 2n ** 200n).toString("hex")}`, abi.encodeFunctionData("write", [1023, 2n ** 200n]));
    assert.equal(encodeWrites(), abi.encodeFunctionData("writes", []));
  });

  test("on a real EVM: each write stores its value in slot key + 2 and counts itself; short calldata, unknown selectors and value revert", async () => {
    const deployed = await send({ data: BENCH_CREATION_CODE });
    assert.equal(deployed.status, 1);
    const address = deployed.contractAddress!;
    assert.equal(await provider.getCode(address), BENCH_RUNTIME_CODE);
    const read = async (data: string) => decodeUint256(await provider.call({ to: address, data }));
    for (const [key, value] of [
      [0, 5n],
      [7, 11n],
      [0, 6n],
    ] as const)
      assert.equal((await send({ to: address, data: `0x${encodeWrite(key, value).toString("hex")}` })).status, 1);
    assert.equal(await read(encodeWrites()), 3n);
    assert.equal(await read(`0x${BENCH_SELECTORS.total}`), 22n);
    assert.equal(BigInt(await provider.getStorage(address, 2)), 6n, "slot key + 2, last value written");
    assert.equal(BigInt(await provider.getStorage(address, 9)), 11n);
    assert.equal((await send({ to: address, data: `0x${encodeWrite(1, 1n).toString("hex").slice(0, 130)}` })).status, 0, "short calldata");
    assert.equal((await send({ to: address, data: "0xdeadbeef" })).status, 0, "unknown selector");
    assert.equal((await send({ to: address, data: `0x${encodeWrite(1, 1n).toString("hex")}`, value: 1n })).status, 0, "non-payable");
    assert.equal(await read(encodeWrites()), 3n, "failed writes changed nothing");
  });
});
