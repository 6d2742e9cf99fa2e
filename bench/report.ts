import type { FundingReport } from "../fisco/funding";
import type { ChainRate } from "./chain-tps";
import type { ErrorCounts } from "./errors";
import type { BenchOptions } from "./options";
import { addressOf } from "./senders";
import type { LatencySummary } from "./stats";
import type { BenchProgress, Tracker } from "./tracker";

/** What `npm run bench` reports (`--json` prints exactly this). Rates are per second, times in milliseconds. */
export interface BenchReport {
  readonly mode: "native" | "web3";
  readonly dryRun: boolean;
  readonly interrupted: boolean;
  /** --txs, or null for a --duration run. */
  readonly txs: number | null;
  readonly durationSeconds: number | null;
  readonly chainId: string;
  /** Sender addresses (fund these for web3 on FISCO v3.16.4). */
  readonly senders: readonly string[];
  /** Native: the benchmark contract the run deployed and called. */
  readonly contract: string | null;
  /** Native: the contract's writes() after the run, i.e. the writes the chain executed (a decimal string). */
  readonly contractWrites: string | null;
  /** Web3 with --fund: what the funding changed on chain. */
  readonly funding: FundingReport | null;
  /** Connections (native) or endpoints (web3) the transactions went through. */
  readonly connections: number;
  readonly signing: { readonly backend: string; readonly threads: number; readonly txPerSecond: number | null; readonly signed: number };
  /** Requests sent. */
  readonly submitted: number;
  /** Answered by a node: native, with a receipt (any status); web3, with a transaction hash. */
  readonly accepted: number;
  /** With a receipt of status 0 (success). */
  readonly confirmed: number;
  /** submitted / (last submission − first submission). */
  readonly submittedTps: number | null;
  /** The client's view: confirmed / (last receipt − first submission). */
  readonly clientTps: number | null;
  /** The chain's view: transactions per block over block timestamps (chain-tps.ts); null when not read. */
  readonly chain: ChainRate | null;
  /** Submission to receipt (native: the sendTransaction round trip, which ends with the receipt). */
  readonly latencyMs: LatencySummary;
  readonly errors: ErrorCounts;
  /** Failed transactions / submitted. */
  readonly errorRate: number;
}

/** Goals that set the exit status (1 when one is missed). */
export interface Goals {
  /** Client TPS at least this. */
  readonly minTps?: number;
  readonly maxP99Ms?: number;
  readonly maxErrorRate?: number;
}

export interface ReportInputs {
  readonly mode: BenchReport["mode"];
  readonly options: BenchOptions;
  readonly track: Tracker;
  readonly keys: readonly string[];
  readonly chainId: string;
  readonly interrupted: boolean;
  readonly signing: BenchReport["signing"];
  readonly chain: ChainRate | null;
  readonly contract?: string | null;
  readonly contractWrites?: string | null;
  readonly funding?: FundingReport | null;
  readonly connections: number;
}

/** Assemble the report from a run's counters. */
export function buildReport(inputs: ReportInputs): BenchReport {
  const { options, track } = inputs;
  return {
    mode: inputs.mode,
    dryRun: options.dryRun,
    interrupted: inputs.interrupted,
    txs: options.txs,
    durationSeconds: options.durationMs === null ? null : options.durationMs / 1000,
    chainId: inputs.chainId,
    senders: inputs.keys.map(addressOf),
    contract: inputs.contract ?? null,
    contractWrites: inputs.contractWrites ?? null,
    funding: inputs.funding ?? null,
    connections: inputs.connections,
    signing: inputs.signing,
    submitted: track.submitted,
    accepted: track.accepted,
    confirmed: track.confirmed,
    ...track.figures(),
    chain: inputs.chain,
    errors: { ...track.errors },
  };
}

const num = (n: number | null | undefined, digits = 0) => (n === null || n === undefined ? "–" : n.toFixed(digits));

/** One progress line: phase, counts, transactions confirmed per second since `previous`, in flight, errors. */
export function formatProgress(p: BenchProgress, previous?: BenchProgress): string {
  const seconds = previous ? (p.elapsedMs - previous.elapsedMs) / 1000 : 0;
  const rate = previous && seconds > 0 ? `, ${((p.confirmed - previous.confirmed) / seconds).toFixed(0)} tx/s` : "";
  if (p.phase === "signing") return `[bench] ${(p.elapsedMs / 1000).toFixed(1)} s signing: signed ${p.signed}`;
  return `[bench] ${(p.elapsedMs / 1000).toFixed(1)} s ${p.phase}: submitted ${p.submitted}, confirmed ${p.confirmed}${rate}, in flight ${p.inFlight}, errors ${p.errors}`;
}

function chainRow(chain: ChainRate | null): string {
  if (!chain) return "–";
  return `${num(chain.tps, 1)} (${chain.transactions} tx in blocks ${chain.firstBlock}–${chain.lastBlock}, ${(chain.spanMs / 1000).toFixed(2)} s apart)`;
}

/** The final report as a table. */
export function formatTable(report: BenchReport, goals: Goals = {}): string {
  const s = report.signing;
  const rows: [string, string][] = [
    ["signing", `${num(s.txPerSecond)} tx/s on ${s.threads} thread${s.threads === 1 ? "" : "s"} (${s.backend}), ${s.signed} tx`],
  ];
  if (report.funding)
    rows.push(["funding", fundingSummary(report.funding)], ...report.funding.changes.map((c): [string, string] => [`  block ${c.blockNumber}`, c.action]));
  if (!report.dryRun) {
    rows.push(
      ["mode", `${report.mode}, ${report.connections} ${report.mode === "native" ? "connections" : "endpoints"}, chain ${report.chainId}`],
      ...(report.contract ? [["contract", `${report.contract} (writes() = ${report.contractWrites ?? "–"})`] as [string, string]] : []),
      ["submitted / accepted / confirmed", `${report.submitted} / ${report.accepted} / ${report.confirmed}`],
      ["submitted TPS", num(report.submittedTps, 1)],
      ["TPS (client)", num(report.clientTps, 1)],
      ["TPS (chain)", chainRow(report.chain)],
      ["latency p50/p95/p99 (ms)", `${num(report.latencyMs.p50)} / ${num(report.latencyMs.p95)} / ${num(report.latencyMs.p99)}`],
      ["error rate", `${(report.errorRate * 100).toFixed(3)} %`],
      ...Object.entries(report.errors).map(([kind, count]): [string, string] => [`  ${kind}`, String(count)]),
    );
  }
  if (report.interrupted) rows.push(["interrupted", "yes: partial report"]);
  const missed = goalsMissed(report, goals);
  if (missed.length) rows.push(["goals missed", missed.join("; ")]);
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n");
}

/** What the funding did, in one line. */
export function fundingSummary(f: FundingReport): string {
  return `${f.changes.length} change(s) on chain: ${f.funded.length} sender(s) credited ${f.amount} wei, ${f.alreadyFunded.length} already funded`;
}

/** The goals a report misses, each as text; empty when all are met (or none given). */
export function goalsMissed(report: BenchReport, goals: Goals): string[] {
  const missed: string[] = [];
  if (goals.minTps !== undefined && (report.clientTps === null || report.clientTps < goals.minTps))
    missed.push(`TPS ${num(report.clientTps, 1)} < ${goals.minTps}`);
  if (goals.maxErrorRate !== undefined && report.errorRate > goals.maxErrorRate) missed.push(`error rate ${report.errorRate} > ${goals.maxErrorRate}`);
  if (goals.maxP99Ms !== undefined && (report.latencyMs.p99 === null || report.latencyMs.p99 > goals.maxP99Ms))
    missed.push(`p99 ${report.latencyMs.p99 ?? "none"} ms > ${goals.maxP99Ms} ms`);
  return missed;
}

/**
 * Progress on stderr: on a terminal one line rewritten in place (rate, in flight, errors), elsewhere (a Job's log,
 * a pipe) one line per tick. Returns the callback and a function that ends the live line.
 */
export function progressWriter(stream: { readonly isTTY?: boolean; write(text: string): unknown }): {
  onProgress: (p: BenchProgress) => void;
  end: () => void;
} {
  let previous: BenchProgress | undefined;
  let live = false;
  return {
    onProgress: (p) => {
      const line = formatProgress(p, previous);
      previous = p;
      if (stream.isTTY) {
        stream.write(`\r${line}\x1b[K`);
        live = true;
      } else stream.write(`${line}\n`);
    },
    end: () => {
      if (live) stream.write("\n");
      live = false;
    },
  };
}
