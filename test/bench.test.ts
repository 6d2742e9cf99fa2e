import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { Transaction, Wallet } from "ethers";
import { BatchRpcClient, matchAnswers } from "../bench/batch-client";
import { parseCli, UsageError } from "../bench/cli-options";
import type { Web3Options } from "../bench/options";
import { runBench } from "../bench/run";
import { addressOf, deriveSenderKeys } from "../bench/senders";
import { SignPool, TxFeed } from "../bench/sign-pool";
import { signTransfer, type Web3Template } from "../bench/signer";
import { percentile, summarize } from "../bench/stats";
import { fastSigner } from "../fisco/secp256k1";
import { RejectingProxyDouble } from "../doubles/bench-proxy-double";
import { startHardhatNode, type HardhatNode } from "../doubles/hardhat-node";

const template = { chainId: 20200n, gasPrice: 0n, gasLimit: 100_000n, to: "0x000000000000000000000000000000000000dEaD" };

describe("pre-signed web3 transactions", () => {
  test("every signature recovers its sender, with the right chain id and contiguous nonces per sender, across chunks", async () => {
    const keys = deriveSenderKeys("test", 5);
    const web3: Web3Template = { kind: "web3", ...template, firstNonces: keys.map((_, i) => 10 * i) };
    const pool = new SignPool(2);
    const feed = new TxFeed(pool, keys, { total: 103, chunk: 40 }, () => web3);
    const raw: string[] = [];
    for (let tx; (tx = await feed.next()) !== undefined;) raw.push(tx);
    await pool.close();
    assert.equal(raw.length, 103);
    assert.equal(pool.signed, 103);
    const nonces = new Map<string, number[]>();
    raw.forEach((one, i) => {
      const tx = Transaction.from(one);
      assert.equal(tx.from, addressOf(keys[i % keys.length]), `tx ${i}`);
      assert.equal(tx.chainId, 20200n);
      nonces.set(tx.from!, [...(nonces.get(tx.from!) ?? []), tx.nonce]);
    });
    keys.forEach((key, s) => {
      const list = nonces.get(addressOf(key))!;
      assert.deepEqual(
        list,
        Array.from({ length: list.length }, (_, i) => 10 * s + i),
        "contiguous, in order",
      );
    });
    assert.deepEqual([...nonces.values()].map((l) => l.length).sort(), [20, 20, 21, 21, 21]);
  });

  test("byte for byte what ethers' Wallet.signTransaction writes (both sign deterministically, RFC 6979)", async () => {
    const key = deriveSenderKeys("bytes", 1)[0];
    const ours = signTransfer(fastSigner(key).sign, 7, template);
    const theirs = await new Wallet(key).signTransaction({
      type: 0,
      nonce: 7,
      to: template.to,
      value: 0n,
      data: "0x",
      gasLimit: template.gasLimit,
      gasPrice: 0n,
      chainId: 20200n,
    });
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
    assert.throws(
      () => parseCli(["--web3", "http://x:8545", "--txs", "10", "--concurrency", "1", "--batch", "9"]),
      /--batch must be an integer from 1 to 8 \(got "9"\)/,
    );
    assert.throws(() => parseCli(["--txs", "10", "--concurrency", "1"]), /--sdk-dir <dir> or --rpc <url,...> .* is required/);
    assert.throws(() => parseCli(["--rpc", "https://x:20200", "--txs", "10"]), /--ca, --cert and --key are required for https:\/\/ RPC URLs/);
    assert.throws(() => parseCli(["--dry-run", "--txs", "5", "--batch", "2"]), /--batch: only used with --web3/);
    assert.throws(() => parseCli(["--web3", "http://x:8545", "--txs", "5", "--fund", "--admin-key", "k"]), /--fund needs the native RPC/);
    assert.throws(() => parseCli(["--web3", "http://x:8545", "--txs", "5", "--duration", "3"]), /--txs and --duration: give one of them/);
    assert.throws(() => parseCli(["--web3", "http://x:8545"]), /--txs N or --duration S is required/);
    assert.equal(parseCli(["--dry-run", "--txs", "10"]).options.concurrency, 512, "--dry-run needs no --concurrency: it has a default");
    assert.throws(() => parseCli(["--web3", "ftp://x", "--txs", "1", "--concurrency", "1"]), /--web3: "ftp:\/\/x" must be an https:\/\/ or http:\/\/ URL/);
    usage("--web3", "http://x:8545", "--txs", "0", "--concurrency", "1");
    usage("--web3", "http://x:8545", "--txs", "5", "--concurrency", "1", "--max-error-rate", "2");
    usage("--dry-run", "--txs", "5", "--concurrency", "1", "--nope");
    usage("--dry-run", "--txs", "5", "--min-tps", "fast");
  });

  test("defaults: the native path, 512 in flight, 16 senders from a seed; web3: batches of 8, 16 in flight", () => {
    const native = parseCli(["--dry-run", "--txs", "5"]).options;
    assert.equal(native.mode, "native");
    assert.equal(native.concurrency, 512);
    assert.equal(native.senders, 16);
    assert.equal(native.seed, "fisco-bench");
    const web3 = parseCli(["--web3", "http://x:8545", "--duration", "30"]).options as Web3Options;
    assert.equal(web3.mode, "web3");
    assert.equal(web3.batch, 8);
    assert.equal(web3.concurrency, 16);
    assert.equal(web3.durationMs, 30_000);
    assert.equal(web3.txs, null);
    assert.equal(web3.balanceCheck, true);
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

  const options = (web3: string, txs: number, senderKeys = keys, timeout = 20): Web3Options => ({
    ...(parseCli(["--web3", web3, "--txs", String(txs), "--concurrency", "4", "--poll-ms", "50", "--timeout", String(timeout), "--threads", "2"])
      .options as Web3Options),
    keys: senderKeys,
    senders: senderKeys.length,
  });

  test("every transaction is confirmed; TPS and latencies are reported", async () => {
    const report = await runBench(options(node.url, 120));
    assert.equal(report.accepted, 120);
    assert.equal(report.confirmed, 120, JSON.stringify(report.errors));
    assert.deepEqual(report.errors, {});
    assert.equal(report.errorRate, 0);
    assert.ok(report.clientTps! > 0 && report.submittedTps! > 0);
    assert.ok(report.chain && report.chain.transactions >= 120, "the chain's rate from eth_getBlockByNumber");
    assert.ok(report.latencyMs.p50! <= report.latencyMs.p95! && report.latencyMs.p95! <= report.latencyMs.p99!);
    assert.equal(report.chainId, "20200");
  });

  test("a batch of one answered with the bare object, as fisco-bcos v3.16.4's web3 RPC answers it, is read", async () => {
    const proxy = await new RejectingProxyDouble(node.url).start();
    const client = new BatchRpcClient(proxy.url, 1);
    try {
      assert.equal(await client.call("eth_chainId", [], 5_000), "0x4ee8");
      const [one] = await client.batch([{ method: "eth_getBalance", params: [addressOf(keys[0]), "latest"] }], 5_000);
      assert.equal(one.ok, true);
      assert.deepEqual(matchAnswers({ jsonrpc: "2.0", id: 7, result: "0x1" }, 7, 1), [{ ok: true, result: "0x1" }]);
      assert.throws(() => matchAnswers({ jsonrpc: "2.0", id: 8, result: "0x1" }, 7, 1), /not an array/);
    } finally {
      client.close();
      await proxy.stop();
    }
  });

  test("errors are counted by kind against a node that rejects some transactions; batches never exceed 8", async () => {
    const proxy = await new RejectingProxyDouble(node.url, { rejectEvery: 10 }).start();
    try {
      const report = await runBench(options(proxy.url, 100, rejectKeys, 3));
      assert.equal(proxy.rejected, 10);
      assert.equal(report.errors["rpc -32003: transaction rejected by the double (#N)"], 10);
      assert.equal(report.accepted, 90);
      assert.ok(Math.max(...proxy.batchSizes) <= 8);
      assert.equal(proxy.senderOverlaps, 0, "a sender's next transaction leaves only once its previous one was answered");
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

  test("a zero-balance sender fails fast, and the message says how to fund it (exit 1)", async () => {
    const unfunded = deriveSenderKeys("unfunded", 2);
    await assert.rejects(runBench(options(node.url, 10, unfunded)), /2 of 2 senders have balance 0 .*--fund --admin-key .*--no-balance-check/s);
    const child = spawn(
      process.execPath,
      ["--import", "tsx", join(__dirname, "..", "scripts", "bench.ts"), "--web3", node.url, "--txs", "10", "--seed", "unfunded", "--senders", "2"],
      { cwd: join(__dirname, "..") },
    );
    let stderr = "";
    child.stderr.on("data", (c) => (stderr += c));
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    assert.equal(code, 1, stderr);
    assert.match(stderr, /bench failed: 2 of 2 senders have balance 0/);
  });

  test("Ctrl-C stops the CLI cleanly with a partial report and exit code 130", async () => {
    const proxy = await new RejectingProxyDouble(node.url, { delayMs: 200 }).start();
    try {
      const child = spawn(
        process.execPath,
        [
          "--import",
          "tsx",
          join(__dirname, "..", "scripts", "bench.ts"),
          "--web3",
          proxy.url,
          "--txs",
          "4000",
          "--concurrency",
          "2",
          "--seed",
          "hardhat",
          "--senders",
          "4",
          "--json",
        ],
        { cwd: join(__dirname, "..") },
      );
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

describe("latency summary of a long run", () => {
  test("a million samples: one sort, no call-stack limit", () => {
    const samples = Array.from({ length: 1_000_000 }, (_, i) => (i * 7919) % 1_000_000);
    assert.deepEqual(summarize(samples), { count: 1_000_000, p50: 499_999, p95: 949_999, p99: 989_999, max: 999_999 });
  });
});
