import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { keccak256 } from "ethers";
import type { BenchReport } from "../bench/report";
import { addressOf, deriveSenderKeys } from "../bench/senders";
import { accountFromPrivateKeyHex } from "../chain/keys";
import { balanceOf, fundAccounts, FundingError } from "../fisco/funding";
import { NodeApi } from "../fisco/native-api";
import { fastSigner } from "../fisco/secp256k1";
import { addBalanceInput, setValueByKeyInput } from "../fisco/precompiled";
import { FiscoRpcClient } from "../fisco/rpc-client";
import { chainFixture, type ChainFixture } from "../doubles/chain-fixture";
import { decodeTransaction, FiscoRpcDouble } from "../doubles/fisco-rpc-double";
import { startHardhatNode, type HardhatNode } from "../doubles/hardhat-node";

/*
 * Funding web3 senders with native governance transactions (fisco/funding.ts), against FiscoRpcDouble, which runs
 * SystemConfigPrecompiled and BalancePrecompiled as FISCO v3.16.4 does (doubles/fisco-executor.ts): the features in
 * force from the next block, feature_balance_precompiled only after feature_balance, the governors registered as balance
 * callers, addBalance refused to anyone else. The input encodings are checked against the official vectors in
 * test/fisco-native-tx.test.ts.
 */

const ROOT = join(__dirname, "..");
const ADMIN_KEY = keccak256(Buffer.from("bench-funding admin"));
const ADMIN = accountFromPrivateKeyHex(ADMIN_KEY).address;
const chain = { chainId: "chain0", groupId: "group0" };
let fixture: ChainFixture;
const cleanup: (() => Promise<void> | void)[] = [];

before(async () => {
  fixture = await chainFixture(4);
});
after(async () => {
  for (const f of cleanup.reverse()) await f();
});

async function startDouble(): Promise<{ double: FiscoRpcDouble; api: NodeApi }> {
  const double = await FiscoRpcDouble.start({ ca: fixture.ca, nodes: fixture.nodes, sealTimeMs: 30, syncDelayMs: 5, governors: [ADMIN] });
  const api = new NodeApi(new FiscoRpcClient({ name: "node0", url: double.url("node0") }, fixture.sdk), "group0");
  cleanup.push(
    () => double.close(),
    () => api.client.close(),
  );
  return { double, api };
}

const input = (hex: Buffer) => `0x${hex.toString("hex")}`;

describe("fundAccounts against the FISCO RPC double", () => {
  test("switches the features on in two blocks, credits each zero-balance account, and says what it changed; a second run changes nothing", async () => {
    const { double, api } = await startDouble();
    const targets = deriveSenderKeys("funding", 2).map(addressOf);
    const report = await fundAccounts(api, chain, fastSigner(ADMIN_KEY), targets, 5n, 10_000);
    assert.deepEqual(
      report.changes.map((c) => c.action),
      ["feature_balance switched on", "feature_balance_precompiled switched on", `addBalance(${targets[0]}, 5)`, `addBalance(${targets[1]}, 5)`],
    );
    const [first, second] = report.changes;
    assert.ok(second.blockNumber > first.blockNumber, "feature_balance_precompiled needs feature_balance in force: a later block");
    assert.deepEqual(report.funded, targets);
    for (const t of targets) assert.equal(await balanceOf(api, t, 5000), 5n);
    assert.deepEqual((await api.systemConfig("feature_balance", 5000))!.value, "1");

    const sent = double.received;
    assert.equal(sent.length, 4);
    assert.ok(sent.every((t) => t.sender === ADMIN.toLowerCase() && t.attribute === 1 && t.version === 0));
    assert.deepEqual(
      sent.map((t) => t.to),
      [
        "0000000000000000000000000000000000001000",
        "0000000000000000000000000000000000001000",
        "0000000000000000000000000000000000001011",
        "0000000000000000000000000000000000001011",
      ],
    );
    const inputs = double.requests
      .filter((r) => r.method === "sendTransaction")
      .map((r) => input(decodeTransaction(Buffer.from(String((r.params as unknown[])[2]).slice(2), "hex")).input));
    const expected = [
      setValueByKeyInput("feature_balance", "1"),
      setValueByKeyInput("feature_balance_precompiled", "1"),
      ...targets.map((t) => addBalanceInput(t, 5n)),
    ].map(input);
    assert.deepEqual(inputs.slice(0, 2), expected.slice(0, 2));
    assert.deepEqual([...inputs.slice(2)].sort(), [...expected.slice(2)].sort(), "the same calldata as the §5.3 vectors' encoders");

    const again = await fundAccounts(api, chain, fastSigner(ADMIN_KEY), targets, 5n, 10_000);
    assert.deepEqual(again.changes, []);
    assert.deepEqual(again.alreadyFunded, targets);
    assert.equal(double.received.length, 4, "nothing sent");
  });

  test("a key that is not the genesis admin is refused by BalancePrecompiled, with the node's message and what to use instead", async () => {
    const { api } = await startDouble();
    const stranger = keccak256(Buffer.from("not the admin"));
    await assert.rejects(fundAccounts(api, chain, fastSigner(stranger), [addressOf(deriveSenderKeys("x", 1)[0])], 1n, 10_000), (error: Error) => {
      assert.ok(error instanceof FundingError);
      assert.match(error.message, /addBalance\(0x[0-9a-fA-F]{40}\) failed \(status 15: Permission denied\. Please use "listBalanceGovernor"/);
      assert.match(error.message, /the genesis admin account \(stack output adminAddress\)/);
      return true;
    });
  });
});

describe("npm run bench -- --web3 … --fund", () => {
  let node: HardhatNode;
  before(async () => {
    node = await startHardhatNode();
    // Seal by interval as a FISCO chain does: with automine, hardhat refuses a nonce that overtakes its predecessor
    // (the workers' batches race), which made this test flaky.
    await node.rpc("evm_setAutomine", [false]);
    await node.rpc("evm_setIntervalMining", [100]);
  });
  after(() => node.stop());

  test("funds the senders through the native RPC with the admin key, reports the changes, then sends through web3", async () => {
    const { double } = await startDouble();
    const dir = mkdtempSync(join(tmpdir(), "bench-fund-"));
    writeFileSync(join(dir, "ca.crt"), fixture.sdk.ca);
    writeFileSync(join(dir, "sdk.crt"), fixture.sdk.cert);
    writeFileSync(join(dir, "sdk.key"), fixture.sdk.key, { mode: 0o600 });
    const endpoints = JSON.parse(fixture.endpointsJson);
    endpoints.rpc.nodes = double.endpoints();
    writeFileSync(join(dir, "endpoints.json"), JSON.stringify(endpoints));
    writeFileSync(join(dir, "admin.key"), `${ADMIN_KEY}\n`, { mode: 0o600 });
    // hardhat plays the same chain's web3 endpoint: mirror there the balance the double's BalancePrecompiled credits.
    for (const key of deriveSenderKeys("fund-cli", 2)) await node.rpc("hardhat_setBalance", [addressOf(key), "0xde0b6b3a7640000"]);
    const args = [
      "--web3",
      node.url,
      "--fund",
      "--admin-key",
      join(dir, "admin.key"),
      "--sdk-dir",
      dir,
      "--txs",
      "16",
      "--senders",
      "2",
      "--seed",
      "fund-cli",
      "--poll-ms",
      "50",
      "--threads",
      "2",
      "--json",
    ];
    const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "scripts", "bench.ts"), ...args], { cwd: ROOT });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    assert.equal(code, 0, stderr);
    const report = JSON.parse(stdout) as BenchReport;
    assert.equal(report.mode, "web3");
    assert.equal(report.funding!.changes.length, 4);
    assert.deepEqual(report.funding!.funded, report.senders);
    assert.equal(report.confirmed, 16, JSON.stringify(report.errors));
    assert.match(stderr, /\[bench\] funding: block \d+: feature_balance switched on \(0x[0-9a-f]{64}\)/);
    assert.match(stderr, /\[bench\] funding: block \d+: addBalance\(0x[0-9a-fA-F]{40}, 1000000000000000000\)/);
    assert.ok(!stderr.includes(ADMIN_KEY.slice(2)) && !stdout.includes(ADMIN_KEY.slice(2)), "the admin key is never printed");
  });
});
