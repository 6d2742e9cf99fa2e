import type { MembershipStep } from "../chain/membership-plan";
import type { MembershipReport } from "./apply";
import { describeMembers } from "./chain-view";

/** The membership report as text (the plan, what was sent, the outcome) or JSON. Never holds key material. */

function stepLine(step: MembershipStep): string {
  const weight = "weight" in step ? ` weight ${step.weight}` : "";
  const gated = step.action === "addSealer" ? " (once synced)" : "";
  return `${step.action} ${step.name}${weight}${gated}: ${step.reason}`;
}

export function formatText(report: MembershipReport): string {
  const lines: string[] = [];
  if (report.before) {
    const unreachable = report.unreachable.length ? `; no answer from ${report.unreachable.join(", ")}` : "";
    lines.push(`on chain: ${describeMembers(report.before)} (agreed by ${report.agreedBy.join(", ")}${unreachable})`);
  }
  if (report.plan) {
    if (report.plan.steps.length === 0) lines.push("plan: nothing to do, the chain matches the declared set");
    else {
      lines.push(`plan (${report.plan.steps.length} step${report.plan.steps.length === 1 ? "" : "s"}):`);
      report.plan.steps.forEach((step, i) => lines.push(`  ${i + 1}. ${stepLine(step)}`));
    }
    for (const refusal of report.plan.refusals) lines.push(`refused: ${refusal}`);
  }
  if (report.authCheck !== null) lines.push(`auth checking ${report.authCheck ? "on (committee proposals)" : "off (direct calls)"}, signed by ${report.admin}`);
  for (const step of report.skipped) lines.push(`skipped (already on chain): ${step.action} ${step.name}`);
  for (const a of report.applied) {
    lines.push(
      `applied: ${a.step.action} ${a.step.name}${"weight" in a.step ? ` weight ${a.step.weight}` : ""} in block ${a.blockNumber} via ${a.via} (tx ${a.txHash}${a.proposalId ? `, proposal ${a.proposalId}` : ""})`,
    );
  }
  if (report.failure) lines.push(`stopped: ${report.failure}`);
  else if (report.dryRun && report.plan?.steps.length) lines.push("dry run: nothing sent");
  else if (report.applied.length > 0 || report.skipped.length > 0) lines.push(`done: ${report.after ? describeMembers(report.after) : ""}`);
  return `${lines.join("\n")}\n`;
}

export function formatJson(report: MembershipReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
