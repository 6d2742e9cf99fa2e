import type { Sealer } from "../fisco/native-api";
import type { NodeRole } from "./roles";

export type CheckName =
  "reachable" | "group" | "genesis" | "sealers" | "members" | "peers" | "probe" | "block-advance" | "block-hash" | "sync-lag" | "replicated" | "web3-probe";

/** skip: not applicable in this run (e.g. no probe transaction requested); never makes the run fail. */
export type CheckStatus = "pass" | "fail" | "skip";

export interface CheckResult {
  readonly name: CheckName;
  readonly status: CheckStatus;
  /** One line with the numbers. */
  readonly summary: string;
  /** One line per problem found, naming the node. */
  readonly problems: readonly string[];
}

export interface ProbeResult {
  /** 0x-address of the deployed probe contract. */
  readonly contractAddress: string;
  /** 0x-hash of the set(value) transaction, the probe's write. */
  readonly txHash: string;
  /** Block that holds set(value). */
  readonly blockNumber: number;
  readonly deployTxHash: string;
  readonly deployBlockNumber: number;
  /** The throwaway (or given) sender; never its key. */
  readonly sender: string;
  /** The value written and read back, decimal. */
  readonly value: string;
  /** Which node took the deploy, the write, and answered the read. */
  readonly via: { readonly deploy: string; readonly set: string; readonly get: string };
}

export interface NodeReport {
  readonly name: string;
  readonly url: string;
  readonly nodeId: string | null;
  readonly blockNumber: number | null;
  readonly error: string | null;
  /** Its role on chain (from the majority sealer and observer lists); null when it did not answer. */
  readonly role: NodeRole | null;
  /** Listed as a group member (endpoints.json rpc.nodes, --rpc) rather than declared outside it (rpc.nonMembers). */
  readonly expectedMember: boolean;
}

export interface VerificationReport {
  readonly ok: boolean;
  readonly checks: readonly CheckResult[];
  /** Highest block seen on any node at the end. */
  readonly blockHeight: number | null;
  readonly genesisHash: string | null;
  readonly sealers: readonly Sealer[];
  /** The group's observers (node ids), from the list most nodes hold. */
  readonly observers: readonly string[];
  /** The native-RPC probe (null when not run or it failed before deploying). */
  readonly probe: ProbeResult | null;
  /** The web3 (ethers) probe, when --web3 was given. */
  readonly web3Probe: ProbeResult | null;
  readonly nodes: readonly NodeReport[];
  readonly durationMs: number;
}

const LABEL: Record<CheckStatus, string> = { pass: "PASS", fail: "FAIL", skip: "SKIP" };

/** The default CLI output: one line per check with its numbers, problems indented below it, and a verdict. */
export function formatText(report: VerificationReport): string {
  const width = Math.max(...report.checks.map((c) => c.name.length));
  const lines = report.checks.flatMap((c) => [
    `${LABEL[c.status]} ${c.name.padEnd(width)}  ${c.summary}`,
    ...c.problems.map((p) => `     ${" ".repeat(width)}  - ${p}`),
  ]);
  const failed = report.checks.filter((c) => c.status === "fail").length;
  const counted = report.checks.filter((c) => c.status !== "skip").length;
  const seconds = (report.durationMs / 1000).toFixed(1);
  const where = report.blockHeight === null ? "" : `, height ${report.blockHeight}`;
  lines.push(
    failed === 0
      ? `verification passed: ${counted}/${counted} checks in ${seconds} s${where}`
      : `verification FAILED: ${failed} of ${counted} checks failed in ${seconds} s${where}`,
  );
  return `${lines.join("\n")}\n`;
}

export function formatJson(report: VerificationReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** First 8 hex digits of an id or hash, for messages. */
export const short = (hex: string | null | undefined): string => (hex ? `${hex.replace(/^0x/, "").slice(0, 8)}…` : "?");
