import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { chainRate } from "../bench/chain-tps";
import { parseCli } from "../bench/cli-options";
import { formatProgress, goalsMissed, progressWriter, type BenchReport } from "../bench/report";
import { runBench, type BenchOptions } from "../bench/run";
import { addressOf, deriveSenderKeys } from "../bench/senders";
import type { BenchProgress } from "../bench/tracker";
import { NodeApi } from "../fisco/native-api";
import { FiscoRpcClient } from "../fisco/rpc-client";
import { chainFixture, type ChainFixture } from "../doubles/chain-fixture";
import { FiscoRpcDouble, type FiscoRpcDoubleOptions } from "../doubles/fisco-rpc-double";
import { shippedFiles } from "../shipped";

/*
 * The native load generator (bench/native-run.ts) against FiscoRpcDouble: real mutual TLS with the project's
 * certificates, a double that decodes, re-hashes and recovers every transaction and simulates the benchmark contract,
 * blocks of at most blockTxCountLimit transactions, and FISCO's txpool limit.
 */

const ROOT = join(__dirname, "..");
let fixture: ChainFixture;
const cleanup: (() => Promise<void> | void)[] = [];

before(async () => {
  fixture = await chainFixture(5);
});
after(async () => {
  for (const f of cleanup.reverse()) await f();
});

/** Four sealers and node4, a declared node outside the group (a free node). */
async function startDouble(options: Partial<FiscoRpcDoubleOptions> = {}): Promise<FiscoRpcDouble> {
  const sealers = fixture.nodes.slice(0, 4).map((n) => ({ nodeId: n.nodeId, weight: 1 }));
  const double = await FiscoRpcDouble.start({ ca: fixture.ca, nodes: fixture.nodes, sealers, sealTimeMs: 40, syncDelayMs: 5, ...options });
  cleanup.push(() => double.close());
  return double;
}

/** The SDK Secret as the Job mounts it: endpoints.json's rpc.nodes are the members, rpc.nonMembers node4. */
function sdkDir(double: FiscoRpcDouble): string {
  const dir = mkdtempSync(join(tmpdir(), "bench-sdk-"));
  writeFileSync(join(dir, "ca.crt"), fixture.sdk.ca);
  writeFileSync(join(dir, "sdk.crt"), fixture.sdk.cert);
  writeFileSync(join(dir, "sdk.key"), fixture.sdk.key, { mode: 0o600 });
  const endpoints = JSON.parse(fixture.endpointsJson);
  const urls = double.endpoints();
  endpoints.rpc.nodes = Object.fromEntries(Object.entries(urls).filter(([name]) => name !== "node4"));
  endpoints.rpc.nonMembers = { node4: urls.node4 };
  writeFileSync(join(dir, "endpoints.json"), JSON.stringify(endpoints));
  return dir;
}

const options = (double: FiscoRpcDouble, ...extra: string[]): BenchOptions => parseCli(["--sdk-dir", sdkDir(double), "--threads", "2", ...extra]).options;

describe("native transactions against the FISCO RPC double", () => {
  test("deploys the benchmark contract, then every transaction is confirmed through the members only, signed by the senders", async () => {
    const double = await startDouble();
    const report = await runBench(options(double, "--txs", "240", "--concurrency", "12", "--senders", "3", "--seed", "native"));
    assert.deepEqual(report.errors, {});
    assert.equal(report.mode, "native");
    assert.deepEqual([report.submitted, report.accepted, report.confirmed], [240, 240, 240]);
    assert.equal(report.contractWrites, "240", "the chain executed every write (the contract's writes())");
    assert.match(report.contract!, /^0x[0-9a-f]{40}$/);
    assert.equal(report.connections, 12);
    const [deploy, ...writes] = double.received;
    assert.equal(deploy.to, "");
    assert.equal(writes.length, 240);
    const senders = new Set(deriveSenderKeys("native", 3).map((k) => addressOf(k).toLowerCase()));
    assert.ok(writes.every((t) => senders.has(t.sender) && t.to === report.contract!.slice(2) && t.attribute === 1 && t.version === 0));
    assert.equal(new Set(writes.map((t) => t.sender)).size, 3);
    assert.deepEqual([...new Set(writes.map((t) => t.node))].sort(), ["node0", "node1", "node2", "node3"], "spread across all members, never node4");
    assert.equal(new Set(writes.map((t) => t.nonce)).size, 240, "a fresh nonce each");
    assert.ok(report.latencyMs.p50! > 0 && report.latencyMs.p50! <= report.latencyMs.p99!);
    assert.ok(report.clientTps! > 0 && report.signing.txPerSecond! > 0);
  });

  test("the chain-side rate is the transactions per block over block timestamps, read from getBlockByNumber", async () => {
    const double = await startDouble({ blockTxCountLimit: 25, sealTimeMs: 60 });
    const report = await runBench(options(double, "--txs", "200", "--concurrency", "50"));
    const chain = report.chain!;
    assert.ok(chain.blocks >= 8, `200 transactions in blocks of at most 25: ${chain.blocks} blocks`);
    const api = new NodeApi(new FiscoRpcClient({ name: "node0", url: double.url("node0") }, fixture.sdk), "group0");
    cleanup.push(() => api.client.close());
    const blocks = [];
    for (let n = chain.firstBlock; n <= chain.lastBlock; n++) blocks.push(await api.blockSummary(n, 5000));
    assert.equal(
      blocks.reduce((s, b) => s + b.transactions.length, 0),
      200,
    );
    const [first, last] = [blocks[0], blocks[blocks.length - 1]];
    const expected = ((200 - first.transactions.length) * 1000) / (last.timestamp - first.timestamp);
    assert.equal(chain.tps, expected);
  });

  test("errors are counted by kind with the node's message: a full txpool, then a node that stops sealing", async () => {
    const full = await startDouble({ poolLimit: 10, sealTimeMs: 250 });
    const report = await runBench(options(full, "--txs", "120", "--concurrency", "30"));
    const refused = report.errors["rpc 10002: TxPoolIsFull"];
    assert.ok(refused > 0, JSON.stringify(report.errors));
    assert.deepEqual(Object.keys(report.errors), ["rpc 10002: TxPoolIsFull"]);
    assert.equal(report.confirmed + refused, 120);
    assert.equal(report.accepted, report.confirmed);
    assert.equal(report.errorRate, refused / 120);
    assert.equal(report.contractWrites, String(report.confirmed));

    const stalled = await startDouble();
    const stalling = runBench(options(stalled, "--txs", "20", "--concurrency", "5", "--timeout", "1"), {
      progressMs: 20,
      onProgress: (p) => p.phase === "connecting" && stalled.stall(),
    });
    const late = await stalling;
    assert.deepEqual(late.errors, { "transport: timeout": 20 });
    assert.equal(late.errorRate, 1);
    assert.equal(late.confirmed, 0);
  });

  test("a node that goes down mid-run costs a few errors, not a loop of refused connections, and the report is still read through another member", async () => {
    const double = await startDouble();
    let downed: Promise<void> | undefined;
    const logged: string[] = [];
    const report = await runBench(options(double, "--duration", "3", "--concurrency", "8"), {
      progressMs: 20,
      log: (line) => logged.push(line),
      // node0 is the control node (the first member): it deployed the contract and would read the chain's rate
      onProgress: (p) => void (p.phase === "sending" && p.confirmed >= 20 && (downed ??= double.down("node0"))),
    });
    await downed;
    assert.ok(downed, "node0 went down during the run");
    const refused = Object.entries(report.errors).filter(([kind]) => /connect|refused|reset|closed/.test(kind));
    const errors = refused.reduce((sum, [, n]) => sum + n, 0);
    // 2 of 8 lanes go to node0; each waits 250 ms doubling to 4 s after an unreachable node: under 10 errors each in 3 s
    assert.ok(errors > 0 && errors <= 20, `errors while node0 was down: ${JSON.stringify(report.errors)}`);
    assert.ok(report.confirmed > 40, `the other members kept confirming (${report.confirmed})`);
    assert.ok(report.chain !== null, "the chain's rate was read through another member");
    assert.ok(Number(report.contractWrites) >= report.confirmed, `writes() read through another member (${report.contractWrites})`);
  });
  test("goals set the verdict: client TPS, p99 and error rate", () => {
    const report = { clientTps: 100, errorRate: 0.01, latencyMs: { count: 1, p50: 10, p95: 20, p99: 30, max: 30 } } as BenchReport;
    assert.deepEqual(goalsMissed(report, { minTps: 50, maxP99Ms: 30, maxErrorRate: 0.01 }), []);
    assert.deepEqual(goalsMissed(report, { minTps: 101, maxP99Ms: 29, maxErrorRate: 0.001 }), [
      "TPS 100.0 < 101",
      "error rate 0.01 > 0.001",
      "p99 30 ms > 29 ms",
    ]);
  });
});

describe("the chain's rate", () => {
  test("the first block's transactions are left out (gathered before its timestamp); one block gives no rate", () => {
    assert.equal(chainRate([]), null);
    assert.equal(chainRate([{ number: 5, timestamp: 1000, transactions: 40 }])!.tps, null);
    const rate = chainRate([
      { number: 7, timestamp: 2000, transactions: 30 },
      { number: 5, timestamp: 1000, transactions: 40 },
      { number: 6, timestamp: 1500, transactions: 20 },
    ])!;
    assert.deepEqual(rate, { tps: 50, firstBlock: 5, lastBlock: 7, blocks: 3, transactions: 90, spanMs: 1000 });
  });
});

describe("the signing pool", () => {
  test("closing it while a worker is inside the native signer lets the job finish instead of aborting the process", () => {
    // Terminating a worker inside the secp256k1 binding aborts the process (exit 134, Napi::Error), as it did at the
    // end of a real-node run; the child process shows it, since an abort would take the test runner with it.
    const dir = mkdtempSync(join(tmpdir(), "sign-pool-"));
    const script = join(dir, "close-while-signing.ts");
    writeFileSync(
      script,
      `import { SignPool } from ${JSON.stringify(join(ROOT, "bench", "sign-pool"))};
import { deriveSenderKeys } from ${JSON.stringify(join(ROOT, "bench", "senders"))};
const pool = new SignPool(2);
const keys = deriveSenderKeys("close", 4);
const template = { kind: "native" as const, chainId: "chain0", groupId: "group0", blockLimit: 600, to: "11".repeat(20), noncePrefix: "ab".repeat(10) };
(async () => {
  await pool.sign(keys, 0, 10, template);
  const job = pool.sign(keys, 0, 20000, template);
  await new Promise((r) => setTimeout(r, 100));
  await pool.close();
  console.log("signed", (await job).length);
  await pool.sign(keys, 0, 1, template).catch((e: Error) => console.log("after close:", e.message));
})();
`,
    );
    const child = spawnSync(process.execPath, ["--import", "tsx", script], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
    assert.equal(child.status, 0, `exit ${child.status} ${child.signal ?? ""}: ${child.stderr}`);
    assert.match(child.stdout, /signed 20000\nafter close: the signing pool is closed/);
  });
});

describe("progress", () => {
  const p = (over: Partial<BenchProgress>): BenchProgress => ({
    phase: "sending",
    elapsedMs: 2000,
    signed: 100,
    submitted: 50,
    confirmed: 40,
    inFlight: 10,
    errors: 1,
    ...over,
  });

  test("one line: phase, counts, confirmed per second since the last line, in flight, errors", () => {
    assert.equal(
      formatProgress(p({}), p({ elapsedMs: 1000, confirmed: 20 })),
      "[bench] 2.0 s sending: submitted 50, confirmed 40, 20 tx/s, in flight 10, errors 1",
    );
    assert.equal(formatProgress(p({ phase: "signing" })), "[bench] 2.0 s signing: signed 100");
  });

  test("a terminal gets one line rewritten in place; a log gets one line per tick", () => {
    const out: string[] = [];
    const tty = progressWriter({ isTTY: true, write: (s: string) => out.push(s) });
    tty.onProgress(p({ elapsedMs: 1000 }));
    tty.onProgress(p({}));
    tty.end();
    // The progress line ends with ESC [ K (erase to the end of the line): a control character on purpose.
    // eslint-disable-next-line no-control-regex
    assert.match(out[0], /^\r\[bench\] 1\.0 s sending: .*\x1b\[K$/);
    // eslint-disable-next-line no-control-regex
    assert.match(out[1], /^\r\[bench\] 2\.0 s sending: .*, 0 tx\/s, in flight 10, errors 1\x1b\[K$/);
    assert.equal(out[2], "\n");
    const log: string[] = [];
    const plain = progressWriter({ isTTY: false, write: (s: string) => log.push(s) });
    plain.onProgress(p({}));
    plain.end();
    assert.deepEqual(log, ["[bench] 2.0 s sending: submitted 50, confirmed 40, in flight 10, errors 1\n"]);
  });

  test("a run reports its phases as it goes", async () => {
    const double = await startDouble();
    const phases = new Set<string>();
    await runBench(options(double, "--txs", "40", "--concurrency", "4"), { progressMs: 10, onProgress: (q) => phases.add(q.phase) });
    for (const phase of ["signing", "sending"]) assert.ok(phases.has(phase), [...phases].join(", "));
  });
});

/** Run scripts/bench.ts; resolve with its exit code and output. `onStderr` may act on what it prints. */
function cli(
  args: string[],
  onStderr?: (text: string, child: ReturnType<typeof spawn>) => void,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "scripts", "bench.ts"), ...args], { cwd: ROOT });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c) => (stdout += c));
  child.stderr.on("data", (c) => {
    stderr += c;
    onStderr?.(stderr, child);
  });
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, stdout, stderr })));
}

describe("the command line against the double", () => {
  test("--duration, goals: a missed --min-tps exits 1 and says so; met goals exit 0", async () => {
    const double = await startDouble();
    const dir = sdkDir(double);
    const missed = await cli(["--sdk-dir", dir, "--duration", "2", "--concurrency", "8", "--min-tps", "1000000", "--threads", "2"]);
    assert.equal(missed.code, 1, missed.stderr);
    assert.match(missed.stdout, /TPS \(client\)\s+\d/);
    assert.match(missed.stdout, /goals missed\s+TPS [\d.]+ < 1000000/);
    const met = await cli(["--sdk-dir", dir, "--txs", "30", "--concurrency", "6", "--min-tps", "1", "--max-error-rate", "0", "--json", "--threads", "2"]);
    assert.equal(met.code, 0, met.stderr);
    const report = JSON.parse(met.stdout) as BenchReport;
    assert.equal(report.confirmed, 30);
    assert.equal(report.durationSeconds, null);
  });

  test("a node name that does not resolve here is named, with how to reach the nodes from outside (--rpc)", async () => {
    const double = await startDouble();
    const dir = sdkDir(double);
    const run = await cli(["--sdk-dir", dir, "--rpc", "https://node0.fisco.svc.invalid:20200", "--txs", "4", "--threads", "1"]);
    assert.equal(run.code, 1, run.stdout);
    assert.match(run.stderr, /host name node0\.fisco\.svc\.invalid does not resolve \(ENOTFOUND\)/);
    assert.match(run.stderr, /give the nodes' URLs with --rpc \(npm run local:up prints them\)/);
  });

  test("Ctrl-C stops a run with a partial report and exit code 130", async () => {
    const double = await startDouble({ sealTimeMs: 200 });
    let interrupted = false;
    const run = await cli(["--sdk-dir", sdkDir(double), "--duration", "120", "--concurrency", "6", "--json", "--threads", "2"], (text, child) => {
      if (!interrupted && /sending: submitted \d+, confirmed [1-9]/.test(text)) {
        interrupted = true;
        child.kill("SIGINT");
      }
    });
    assert.equal(run.code, 130, run.stderr);
    const report = JSON.parse(run.stdout) as BenchReport;
    assert.equal(report.interrupted, true);
    assert.ok(report.confirmed > 0 && report.submitted >= report.confirmed, `${report.submitted} ${report.confirmed}`);
    assert.equal(report.submitted, report.confirmed + (report.errors["not followed: interrupted"] ?? 0));
  });

  test("the bundle the chart's Job runs (bench.js and its worker from a ConfigMap, plain node, no node_modules) works on the native path", async () => {
    const double = await startDouble();
    const dir = mkdtempSync(join(tmpdir(), "bench-bundle-"));
    for (const [name, text] of Object.entries(await shippedFiles("bench"))) writeFileSync(join(dir, name), text);
    const child = spawn(process.execPath, [join(dir, "bench.js"), `--sdk-dir=${sdkDir(double)}`, "--txs=24", "--concurrency=4", "--senders=2", "--json"], {
      cwd: dir,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    assert.equal(code, 0, stderr);
    const report = JSON.parse(stdout) as BenchReport;
    assert.equal(report.confirmed, 24);
    assert.equal(report.contractWrites, "24");
    assert.equal(report.signing.backend, "ethers", "the native binding does not travel in a ConfigMap");
  });
});
