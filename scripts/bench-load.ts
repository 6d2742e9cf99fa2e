import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, getPriority, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { parseCli } from "../bench/cli-options";
import type { NativeOptions, Web3Options } from "../bench/options";
import { runBench, type BenchReport } from "../bench/run";
import { addressOf, deriveSenderKeys } from "../bench/senders";
import { chainFixture, type ChainFixture } from "../doubles/chain-fixture";
import { startHardhatNode } from "../doubles/hardhat-node";
import { shippedFiles } from "../shipped";

/**
 * The load generator's benchmarks, recorded in docs/benchmarks.md (medians of RUNS runs): the native signing rate
 * (--dry-run, worker threads, libsecp256k1) and the bundled Job's (JavaScript); the client's capacity against
 * InstantRpcDouble, an endpoint double that answers at once (in its own process, over real mutual TLS), with the
 * client's CPU time per transaction; and a web3 run against a real local hardhat node.
 */
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SIGN_TXS = 200_000;
const CAPACITY = { txs: 200_000, concurrency: 64, nodes: 4 };
const LOAD = { txs: 3000, concurrency: 16, senders: 32, intervalMs: 1000 };
const DOC = join(__dirname, "..", "docs", "benchmarks.md");
const ROOT = join(__dirname, "..");

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

async function signingRates(): Promise<{ rate: number; threads: number; backend: string }> {
  const reports: BenchReport[] = [];
  for (let i = 0; i < RUNS; i++) {
    reports.push(await runBench(parseCli(["--dry-run", "--txs", String(SIGN_TXS)]).options));
    console.log(`  signing run ${i + 1}/${RUNS}: ${fmt(reports[i].signing.txPerSecond!)} native tx/s on ${reports[i].signing.threads} threads`);
  }
  return { rate: median(reports.map((r) => r.signing.txPerSecond!)), threads: reports[0].signing.threads, backend: reports[0].signing.backend };
}

/** The bundled CLI as the chart's Job runs it (no native binding): its signing rate. */
async function bundleSigningRate(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "bench-bundle-"));
  for (const [name, text] of Object.entries(await shippedFiles("bench"))) writeFileSync(join(dir, name), text);
  const run = spawnSync(process.execPath, [join(dir, "bench.js"), "--dry-run", "--txs=20000", "--json"], { cwd: dir, encoding: "utf8" });
  if (run.status !== 0) throw new Error(`the bundled bench failed: ${run.stderr}`);
  return (JSON.parse(run.stdout) as BenchReport).signing.txPerSecond!;
}

/** InstantRpcDouble in its own process (the nodes' side of TLS does not share the client's event loop). */
async function startInstantDouble(fixture: ChainFixture): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "doubles", "instant-rpc-double.ts")], { cwd: ROOT, stdio: ["pipe", "pipe", "inherit"] });
  child.stdin.write(`${JSON.stringify({ start: { ca: fixture.ca, cert: fixture.nodes[0].cert, key: fixture.nodes[0].key } })}\n`);
  const line = await createInterface({ input: child.stdout })[Symbol.asyncIterator]().next();
  return { url: (JSON.parse(line.value as string) as { url: string }).url, stop: () => child.stdin.end() };
}

interface CapacityRun {
  readonly report: BenchReport;
  /** The client process's CPU time (user + system, signing threads idle) per transaction sent, microseconds. */
  readonly cpuMicrosPerTx: number;
}

async function capacityRuns(): Promise<CapacityRun[]> {
  const fixture = await chainFixture(1);
  const double = await startInstantDouble(fixture);
  try {
    const runs: CapacityRun[] = [];
    for (let i = 0; i < RUNS; i++) {
      const rpc = Array.from({ length: CAPACITY.nodes }, (_, n) => ({ name: `node${n}`, url: double.url }));
      const options: NativeOptions = {
        ...(parseCli(["--dry-run", "--txs", String(CAPACITY.txs), "--concurrency", String(CAPACITY.concurrency)]).options as NativeOptions),
        dryRun: false,
        native: { rpc, tls: fixture.sdk, groupId: "group0" },
      };
      let cpu: NodeJS.CpuUsage | undefined;
      let spent: NodeJS.CpuUsage | undefined;
      const report = await runBench(options, {
        progressMs: 20,
        onProgress: (p) => (p.phase === "sending" && (cpu ??= process.cpuUsage()), p.phase === "chain" && cpu && (spent ??= process.cpuUsage(cpu))),
      });
      const cpuMicrosPerTx = spent ? (spent.user + spent.system) / report.submitted : NaN;
      runs.push({ report, cpuMicrosPerTx });
      console.log(
        `  capacity run ${i + 1}/${RUNS}: ${fmt(report.submittedTps!)} submissions/s, ${report.confirmed} confirmed, client CPU ${cpuMicrosPerTx.toFixed(1)} µs per transaction`,
      );
    }
    return runs;
  } finally {
    double.stop();
  }
}

async function hardhatRuns(): Promise<BenchReport[]> {
  const node = await startHardhatNode();
  try {
    await node.rpc("evm_setAutomine", [false]);
    await node.rpc("evm_setIntervalMining", [LOAD.intervalMs]);
    const reports: BenchReport[] = [];
    for (let i = 0; i < RUNS; i++) {
      const keys = deriveSenderKeys(`load-${i}`, LOAD.senders);
      for (const key of keys) await node.rpc("hardhat_setBalance", [addressOf(key), "0x3635C9ADC5DEA00000"]);
      const options = parseCli(["--web3", node.url, "--txs", String(LOAD.txs), "--concurrency", String(LOAD.concurrency), "--timeout", "60"])
        .options as Web3Options;
      const report = await runBench({ ...options, keys, senders: keys.length });
      reports.push(report);
      console.log(
        `  web3 run ${i + 1}/${RUNS}: confirmed ${report.confirmed}/${report.txs}, ${report.clientTps?.toFixed(0)} tx/s, p99 ${report.latencyMs.p99} ms`,
      );
    }
    return reports;
  } finally {
    await node.stop();
  }
}

/** This process and the ones that started it (npm, tsx), from /proc. */
function ancestors(pid: number): Set<number> {
  const out = new Set<number>();
  for (let p = pid; p > 1 && !out.has(p);) {
    out.add(p);
    p = Number(readFileSync(`/proc/${p}/stat`, "utf8").split(") ")[1]?.split(" ")[1] ?? 0);
  }
  return out;
}

/** Other processes using at least 10 % of a CPU (name and nice value), e.g. "cc1plus (nice 19) ×2". */
function otherLoad(): string {
  const rows = spawnSync("ps", ["-eo", "pid,ni,pcpu,comm", "--no-headers"], { encoding: "utf8" }).stdout.trim().split("\n");
  const ours = ancestors(process.pid);
  const busy = rows.map((r) => r.trim().split(/\s+/)).filter(([pid, , cpu, comm]) => !ours.has(Number(pid)) && comm !== "ps" && Number(cpu) >= 10);
  const counts = new Map<string, number>();
  for (const [, ni, , comm] of busy) counts.set(`${comm} (nice ${ni})`, (counts.get(`${comm} (nice ${ni})`) ?? 0) + 1);
  return [...counts].map(([what, n]) => (n > 1 ? `${what} ×${n}` : what)).join(", ") || "none";
}

function machine(before: { load: number[]; others: string }): string {
  const after = loadavg();
  return (
    `${cpus().length} × ${cpus()[0]?.model ?? "unknown CPU"}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}. ` +
    `Load average (1 min) ${before.load[0].toFixed(1)} at the start, ${after[0].toFixed(1)} at the end; other busy processes at the start: ${before.others}; ` +
    `this benchmark at nice ${getPriority()}`
  );
}

function section(
  before: { load: number[]; others: string },
  signing: Awaited<ReturnType<typeof signingRates>>,
  bundled: number,
  capacity: CapacityRun[],
  load: BenchReport[],
): string {
  const m = (reports: BenchReport[], pick: (r: BenchReport) => number | null) => median(reports.map((r) => pick(r) ?? NaN));
  const cap = capacity.map((c) => c.report);
  const cpuPerTx = median(capacity.map((c) => c.cpuMicrosPerTx));
  return [
    "<!-- load:begin -->",
    "## Load generator (`npm run bench`, `npm run bench:load`)",
    "",
    `Machine: ${machine(before)}. Medians of ${RUNS} runs.` +
      (before.others === "none"
        ? ""
        : " Other work shared the machine during these runs, so the figures are lower than on an idle machine and vary between runs."),
    "",
    `**Signing** (\`--dry-run --txs ${SIGN_TXS}\`, native transactions calling the benchmark contract from 16 senders, thread start-up excluded): ` +
      `**${fmt(signing.rate)} tx/s** on ${signing.threads} worker threads (${signing.backend}); goal ≥ 20,000 on 2 cores. ` +
      `The bundled CLI the chart's Job runs (no native binding, ethers' JavaScript secp256k1): ${fmt(bundled)} tx/s.`,
    "",
    `**Client capacity** against InstantRpcDouble (an endpoint double that answers sendTransaction at once, in its own process, over real mutual TLS; ` +
      `${CAPACITY.txs} pre-signed transactions, ${CAPACITY.concurrency} keep-alive connections over ${CAPACITY.nodes} endpoint names):`,
    "",
    "| submissions/s | client TPS | chain TPS (double's blocks) | p50 (ms) | p99 (ms) | client CPU per tx (µs) |",
    "|---:|---:|---:|---:|---:|---:|",
    `| ${fmt(m(cap, (r) => r.submittedTps))} | ${fmt(m(cap, (r) => r.clientTps))} | ${fmt(m(cap, (r) => r.chain?.tps ?? null))} | ${m(cap, (r) => r.latencyMs.p50).toFixed(0)} | ${m(cap, (r) => r.latencyMs.p99).toFixed(0)} | ${cpuPerTx.toFixed(1)} |`,
    "",
    `Goal ≥ 20,000 submissions/s. Client and double share the two cores; the client's own CPU time per ` +
      `transaction (process CPU over the sending phase, signing already done) puts its ceiling at about ${fmt(1e6 / cpuPerTx)} submissions/s per core.`,
    "",
    `**Web3 against a real local hardhat 2 node** (interval mining every ${LOAD.intervalMs} ms, ${LOAD.txs} transfers from ${LOAD.senders} funded senders, ` +
      `${LOAD.concurrency} batches of 8 in flight, receipts polled every 100 ms):`,
    "",
    "| submitted TPS | client TPS | p50 (ms) | p95 (ms) | p99 (ms) | error rate |",
    "|---:|---:|---:|---:|---:|---:|",
    `| ${fmt(m(load, (r) => r.submittedTps))} | ${fmt(m(load, (r) => r.clientTps))} | ${m(load, (r) => r.latencyMs.p50).toFixed(0)} | ${m(load, (r) => r.latencyMs.p95).toFixed(0)} | ` +
      `${m(load, (r) => r.latencyMs.p99).toFixed(0)} | ${(m(load, (r) => r.errorRate) * 100).toFixed(2)} % |`,
    "",
    "hardhat mines one block per interval in single-threaded JavaScript: latency is the mining interval, throughput hardhat's.",
    "None of these figures is a FISCO chain's capacity: that needs real nodes (`npm run local:up`, then `npm run bench -- --sdk-dir nodes/sdk`).",
    "<!-- load:end -->",
  ].join("\n");
}

async function main() {
  const before = { load: loadavg(), others: otherLoad() };
  console.log(`  load average ${before.load[0].toFixed(1)}; other busy processes: ${before.others}`);
  const signing = await signingRates();
  const bundled = await bundleSigningRate();
  console.log(`  bundled signing: ${fmt(bundled)} tx/s`);
  const capacity = await capacityRuns();
  const load = await hardhatRuns();
  const text = section(before, signing, bundled, capacity, load);
  const current = existsSync(DOC) ? readFileSync(DOC, "utf8") : "# Benchmarks\n";
  const pattern = /<!-- load:begin -->[\s\S]*<!-- load:end -->/;
  writeFileSync(DOC, pattern.test(current) ? current.replace(pattern, text) : `${current.trimEnd()}\n\n${text}\n`);
  console.log(`\n${text}\n\nrecorded in ${DOC}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
