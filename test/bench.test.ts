import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { Transaction, Wallet } from "ethers";
import { parseCli, UsageError } from "../bench/cli-options";
import { runBench, type BenchOptions } from "../bench/run";
import { addressOf, deriveSenderKeys } from "../bench/senders";
import { preSign } from "../bench/sign-pool";
import { signTransfer } from "../bench/signer";
import { percentile, summarize } from "../bench/stats";
import { RejectingProxyDouble } from "../doubles/bench-proxy-double";
import { startHardhatNode, type HardhatNode } from "../doubles/hardhat-node";

const template = { chainId: 20200n, gasPrice: 0n, gasLimit: 100_000n, to: "0x000000000000000000000000000000000000dEaD" };

describe("pre-signed transactions", () => {
  test("every signature recovers its sender, with the right chain id and contiguous nonces per sender", async () => {
    const keys = deriveSenderKeys("test", 5);
    const senders = keys.map((privateKey, i) => ({ privateKey, nonce: 10 * i }));
    const signed = await preSign(senders, 103, template, 2);
    assert.equal(signed.raw.length, 103);
    const nonces = new Map<string, number[]>();
    signed.raw.forEach((raw, i) => {
      const tx = Transaction.from(raw);
      assert.equal(tx.from, addressOf(keys[signed.senderOf[i]]), `tx ${i}`);
      assert.equal(tx.chainId, 20200n);
      nonces.set(tx.from!, [...(nonces.get(tx.from!) ?? []), tx.nonce]);
    });
    keys.forEach((key, s) => {
      const list = nonces.get(addressOf(key))!;
      assert.deepEqual(list, Array.from({ length: list.length }, (_, i) => 10 * s + i), "contiguous, in order");
    });
    assert.deepEqual([...nonces.values()].map((l) => l.length).sort(), [20, 20, 21, 21, 21]);
  });

  test("byte for byte what ethers' Wallet.signTransaction writes (both sign deterministically, RFC 6979)", async () => {
    const key = deriveSenderKeys("bytes", 1)[0];
    const ours = signTransfer(Buffer.from(key.slice(2), "hex"), 7, template);
    const theirs = await new Wallet(key).signTransaction({ type: 0, nonce: 7, to: template.to, value: 0n, data: "0x", gasLimit: template.gasLimit, gasPrice: 0n, chainId: 20200n });
    assert.equal(ours, theirs);
  });
});

describe("percentiles", () => {
  test("nearest rank on known inputs and edge cases", () => {
    const hundred = Array.from({ length: 100 }, (_, i) => 100 - i);
    assert.equal(percentile(hundred, 50), 50);
    assert.equal(percentile(hundred, 95), 95);
    assert.equal(percentile(hundred, 99), 99);
    assert.equal(percentile(hundred, 100), 100);
    assert.equal(percentile([7], 99), 7);
    assert.equal(percentile([], 50), null);
    assert.equal(percentile([1, 2], 50), 1);
    assert.throws(() => percentile([1], 0), RangeError);
    assert.deepEqual(summarize([3, 1, 2]), { count: 3, p50: 2, p95: 3, p99: 3, max: 3 });
  });
});

describe("command line", () => {
  const usage = (...args: string[]) => assert.throws(() => parseCli(args), UsageError);

  test("bad usage names the flag and what is allowed", () => {
    assert.throws(() => parseCli(["--web3", "http://x:8545", "--txs", "10", "--concurrency", "1", "--batch", "9"]), /--batch must be an integer from 1 to 8 \(got "9"\)/);
    assert.throws(() => parseCli(["--txs", "10", "--concurrency", "1"]), /--web3 is required/);
    assert.equal(parseCli(["--dry-run", "--txs", "10"]).options.concurrency, 16, "--dry-run needs no --concurrency: it has a default");
    assert.throws(() => parseCli(["--web3", "ftp://x", "--txs", "1", "--concurrency", "1"]), /--web3: "ftp:\/\/x" must be an https:\/\/ or http:\/\/ URL/);
    usage("--web3", "http://x:8545", "--txs", "0", "--concurrency", "1");
    usage("--web3", "http://x:8545", "--txs", "5", "--concurrency", "1", "--max-error-rate", "2");
    usage("--dry-run", "--txs", "5", "--concurrency", "1", "--nope");
  });

  test("defaults: batches of 8, 16 senders from a seed", () => {
    const { options } = parseCli(["--dry-run", "--txs", "5", "--concurrency", "2"]);
    assert.equal(options.batch, 8);
    assert.equal(options.senders, 16);
    assert.equal(options.seed, "fisco-bench");
  });
});

describe("against a real hardhat node", () => {
  let node: HardhatNode;
  const keys = deriveSenderKeys("hardhat", 4);
  const rejectKeys = deriveSenderKeys("rejected", 4);
  before(async () => {
    node = await startHardhatNode();
    for (const key of [...keys, ...rejectKeys]) await node.rpc("hardhat_setBalance", [addressOf(key), "0x3635C9ADC5DEA00000"]);
    await node.rpc("evm_setAutomine", [false]);
    await node.rpc("evm_setIntervalMining", [200]);
  });
  after(() => node.stop());

  const options = (web3: string, txs: number, senderKeys = keys, timeout = 20): BenchOptions => ({
    ...parseCli(["--web3", web3, "--txs", String(txs), "--concurrency", "4", "--poll-ms", "50", "--timeout", String(timeout)]).options,
    keys: senderKeys,
    senders: senderKeys.length,
  });

  test("every transaction is confirmed; TPS and latencies are reported", async () => {
    const report = await runBench(options(node.url, 120));
    assert.equal(report.accepted, 120);
    assert.equal(report.confirmed, 120, JSON.stringify(report.errors));
    assert.deepEqual(report.errors, {});
    assert.equal(report.errorRate, 0);
    assert.ok(report.confirmedTps! > 0 && report.submittedTps! > 0);
    assert.ok(report.latencyMs.p50! <= report.latencyMs.p95! && report.latencyMs.p95! <= report.latencyMs.p99!);
    assert.equal(report.chainId, "20200");
  });

  test("errors are counted by kind against a node that rejects some transactions; batches never exceed 8", async () => {
    const proxy = await new RejectingProxyDouble(node.url, { rejectEvery: 10 }).start();
    try {
      const report = await runBench(options(proxy.url, 100, rejectKeys, 3));
      assert.equal(proxy.rejected, 10);
      assert.equal(report.errors["rpc -32003: transaction rejected by the double (#N)"], 10);
      assert.equal(report.accepted, 90);
      assert.ok(Math.max(...proxy.batchSizes) <= 8);
      // A rejected nonce leaves a gap: that sender's later transactions never mine, and are counted as such.
      const unmined = report.errors["no receipt before the timeout"] ?? 0;
      assert.ok(unmined > 0);
      assert.equal(report.confirmed + unmined, 90);
      assert.deepEqual(Object.keys(report.errors).sort(), ["no receipt before the timeout", "rpc -32003: transaction rejected by the double (#N)"]);
      assert.equal(report.errorRate, (10 + unmined) / 100);
    } finally {
      await proxy.stop();
    }
  });

  test("Ctrl-C stops the CLI cleanly with a partial report and exit code 130", async () => {
    const proxy = await new RejectingProxyDouble(node.url, { delayMs: 200 }).start();
    try {
      const child = spawn(process.execPath, ["--import", "tsx", join(__dirname, "..", "scripts", "bench.ts"), "--web3", proxy.url, "--txs", "4000", "--concurrency", "2", "--seed", "hardhat", "--senders", "4", "--json"], { cwd: join(__dirname, "..") });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (c) => (stdout += c));
      const sending = new Promise<void>((resolve) => child.stderr.on("data", (c) => ((stderr += c), /sending: .*submitted [1-9]/.test(stderr) && resolve())));
      await sending;
      child.kill("SIGINT");
      const code = await new Promise<number | null>((resolve) => child.once("exit", (exitCode) => resolve(exitCode)));
      assert.equal(code, 130, stderr);
      const report = JSON.parse(stdout);
      assert.equal(report.interrupted, true);
      assert.ok(report.submitted > 0 && report.submitted < 4000, `${report.submitted}`);
    } finally {
      await proxy.stop();
    }
  });
});
