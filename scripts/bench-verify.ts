import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { FiscoRpcDouble, type FiscoRpcDoubleOptions } from "../doubles/fisco-rpc-double";
import { chainFixture, type ChainFixture } from "../doubles/chain-fixture";
import { runVerification } from "../verify";

/**
 * Times a full verification (every read-only check, the native probe: deploy + set + read back, then every node's
 * block hash and get()) of a 4-node and a 16-node chain against FiscoRpcDouble, and records the medians in
 * docs/benchmarks.md between <!-- verify:begin --> and <!-- verify:end -->. Target: 16 nodes ≤ 1.5 × 4 nodes.
 * The double seals and syncs quickly, so the verifier's own per-node cost is what shows. It runs in a child process
 * (as real nodes run elsewhere: their side of every TLS handshake is not the verifier's CPU), and, for comparison,
 * in this process too.
 */
const SIZES = [4, 16] as const;
const RUNS = Math.max(5, Number(process.env.BENCH_RUNS ?? 9));
const SEAL_MS = 20;
const SYNC_MS = 10;
const TARGET_RATIO = 1.5;
const DOC = join(__dirname, "..", "docs", "benchmarks.md");

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

interface DoubleHandle {
  readonly urls: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

type StartDouble = (options: FiscoRpcDoubleOptions) => Promise<DoubleHandle>;

const inProcess: StartDouble = async (options) => {
  const double = await FiscoRpcDouble.start(options);
  return { urls: double.endpoints(), close: () => double.close() };
};

/** One child process serving a fresh double per run (doubles/fisco-rpc-double.ts's stdin protocol). */
function childProcessDoubles(): { start: StartDouble; stop: () => void } {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ["--import", "tsx", join(__dirname, "..", "doubles", "fisco-rpc-double.ts")], {
    cwd: join(__dirname, ".."),
  });
  child.stderr.pipe(process.stderr);
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const ask = async (command: unknown) => {
    child.stdin.write(`${JSON.stringify(command)}\n`);
    const { value, done } = await lines.next();
    if (done) throw new Error("the double's process ended");
    return JSON.parse(value as string);
  };
  return {
    start: async (options) => {
      const { urls } = await ask({ start: options });
      return { urls, close: () => ask({ close: true }).then(() => undefined) };
    },
    stop: () => child.stdin.end(),
  };
}

async function timeOnce(fixture: ChainFixture, startDouble: StartDouble): Promise<number> {
  const double = await startDouble({ ca: fixture.ca, nodes: fixture.nodes, initialHeight: 10, sealTimeMs: SEAL_MS, syncDelayMs: SYNC_MS });
  try {
    const started = process.hrtime.bigint();
    const report = await runVerification({
      rpc: Object.entries(double.urls).map(([name, url]) => ({ name, url })),
      tls: fixture.sdk,
      expect: { kind: "ids", ids: Object.values(fixture.nodeIds) },
      timeoutMs: 60_000,
      pollIntervalMs: 100,
    });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (!report.ok)
      throw new Error(`verification of ${fixture.nodes.length} nodes failed: ${JSON.stringify(report.checks.filter((c) => c.status === "fail"))}`);
    return ms;
  } finally {
    await double.close();
  }
}

interface Row {
  readonly where: string;
  readonly nodes: number;
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

function section(rows: readonly Row[], ratios: Readonly<Record<string, number>>): string {
  const cpu = cpus();
  const machine = `${cpu.length} × ${cpu[0]?.model.trim() ?? "unknown CPU"}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
  return [
    "<!-- verify:begin -->",
    "## Post-deploy verification (`npm run bench:verify`)",
    "",
    `Method: \`npm run bench:verify\` runs \`runVerification\` ${RUNS} times per size (alternating sizes, after a warm-up run each)`,
    "against FiscoRpcDouble, the test double of FISCO's native RPC (real mutual TLS with the project's certificates, a fresh",
    "double per run), and reports the median wall time of the whole verification: group, genesis, sealer and peer checks on",
    "every node, the native probe (deploy, set, read back through a third node), the wait until every node has the block,",
    "block hashes, sync lag and get() on every node.",
    `The double seals ${SEAL_MS} ms after a transaction arrives and reaches each node ${SYNC_MS} ms later. It runs in a separate process (as`,
    "real nodes do, so the nodes' side of each TLS handshake is not counted) and, for comparison, inside the verifier's process.",
    `Machine: ${machine}.`,
    "",
    "| double runs | nodes | verify median (ms) | min–max (ms) |",
    "|---|---:|---:|---:|",
    ...rows.map((r) => `| ${r.where} | ${r.nodes} | ${r.median.toFixed(0)} | ${r.min.toFixed(0)}–${r.max.toFixed(0)} |`),
    "",
    `16 nodes / 4 nodes: ${Object.entries(ratios)
      .map(([where, r]) => `${r.toFixed(2)}× (${where})`)
      .join(", ")}; target ≤ ${TARGET_RATIO}× (separate process).`,
    "All nodes are queried in parallel over one keep-alive TLS connection each; what grows with the node count is one mutual-TLS",
    "handshake per node (an RSA-2048 signature on each side) and the JSON of getSyncStatus, whose peer list has N − 1 entries.",
    "<!-- verify:end -->",
  ].join("\n");
}

/** Runs alternate between the sizes, so a busy moment on the machine falls on both alike. */
async function measure(where: string, fixtures: Record<number, ChainFixture>, startDouble: StartDouble): Promise<Row[]> {
  await timeOnce(fixtures[4], startDouble); // warm-up: module loading and JIT, not recorded
  await timeOnce(fixtures[16], startDouble);
  const times: Record<number, number[]> = { 4: [], 16: [] };
  for (let i = 0; i < RUNS; i++) {
    for (const nodes of SIZES) {
      const ms = await timeOnce(fixtures[nodes], startDouble);
      times[nodes].push(ms);
      process.stdout.write(`  ${where}, ${nodes} nodes, run ${i + 1}/${RUNS}: ${ms.toFixed(0)} ms\n`);
    }
  }
  return SIZES.map((nodes) => ({ where, nodes, median: median(times[nodes]), min: Math.min(...times[nodes]), max: Math.max(...times[nodes]) }));
}

async function main(): Promise<void> {
  process.stdout.write("building certificates for 4 and 16 nodes (not timed)…\n");
  const fixtures = { 4: await chainFixture(4), 16: await chainFixture(16) };
  const child = childProcessDoubles();
  const rows = [...(await measure("separate process", fixtures, child.start)), ...(await measure("same process", fixtures, inProcess))];
  child.stop();
  const ratio = (where: string) => rows.find((r) => r.where === where && r.nodes === 16)!.median / rows.find((r) => r.where === where && r.nodes === 4)!.median;
  const ratios = { "separate process": ratio("separate process"), "same process": ratio("same process") };
  const text = section(rows, ratios);
  const current = existsSync(DOC) ? readFileSync(DOC, "utf8") : "# Benchmarks\n";
  const marked = /<!-- verify:begin -->[\s\S]*<!-- verify:end -->/;
  writeFileSync(DOC, marked.test(current) ? current.replace(marked, text) : `${current.trimEnd()}\n\n${text}\n`);
  process.stdout.write(`\n${text}\n\nrecorded in ${DOC}\n`);
  if (ratios["separate process"] > TARGET_RATIO) {
    process.stderr.write(`16 nodes took ${ratios["separate process"].toFixed(2)} × 4 nodes, above the ${TARGET_RATIO}× target\n`);
    process.exitCode = 1;
  }
  process.exit();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
