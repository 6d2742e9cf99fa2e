import type { Goals } from "./cli-options";
import type { BenchProgress, BenchReport } from "./run";

const num = (n: number | null, digits = 0) => (n === null ? "–" : n.toFixed(digits));

export function formatProgress(p: BenchProgress): string {
  return `[bench] ${(p.elapsedMs / 1000).toFixed(1)} s ${p.phase}: signed ${p.signed}, submitted ${p.submitted}, confirmed ${p.confirmed}, errors ${p.errors}`;
}

/** The final report as a table. */
export function formatTable(report: BenchReport, goals: Goals = {}): string {
  const rows: [string, string][] = [
    ["signing", `${num(report.signing.txPerSecond)} tx/s on ${report.signing.threads} threads (${report.signing.backend}), ${report.txs} tx in ${report.signing.seconds.toFixed(2)} s`],
  ];
  if (!report.dryRun) {
    rows.push(
      ["submitted", `${report.submitted} (${report.accepted} accepted)`],
      ["confirmed", `${report.confirmed}`],
      ["submitted TPS", num(report.submittedTps, 1)],
      ["confirmed TPS", num(report.confirmedTps, 1)],
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

export function goalsMissed(report: BenchReport, goals: Goals): string[] {
  const missed: string[] = [];
  if (goals.maxErrorRate !== undefined && report.errorRate > goals.maxErrorRate) missed.push(`error rate ${report.errorRate} > ${goals.maxErrorRate}`);
  if (goals.maxP99Ms !== undefined && (report.latencyMs.p99 === null || report.latencyMs.p99 > goals.maxP99Ms)) missed.push(`p99 ${report.latencyMs.p99 ?? "none"} ms > ${goals.maxP99Ms} ms`);
  return missed;
}
