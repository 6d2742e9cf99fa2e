import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { verificationReportName } from "../chain/naming";
import type { ChainSpec } from "../chain/spec";
import type { VerificationReport } from "../verify/report";

/** The stack output `verification`: the verifier's report, or why there is none. */
export type VerificationOutput = VerificationReport | { readonly status: string; readonly text?: string };

/**
 * The Job's report, as the stack output `verification`: read from the ConfigMap the verifier writes, after the chart
 * (and so the Job) is done. Not read during a preview, when the Job has not run.
 */
export function readVerificationReport(
  spec: ChainSpec,
  namespace: pulumi.Input<string>,
  after: pulumi.Resource,
  parent: pulumi.Resource,
): pulumi.Output<VerificationOutput> {
  if (!spec.verification.enabled) return pulumi.output({ status: "disabled" });
  if (pulumi.runtime.isDryRun()) return pulumi.output({ status: "pending: the verification Job runs during the update" });
  const report = k8s.core.v1.ConfigMap.get(`${spec.chainName}-verification-report`, pulumi.interpolate`${namespace}/${verificationReportName(spec)}`, {
    parent,
    dependsOn: [after],
  });
  return report.data.apply((data) => parseReport(data?.["report.json"]));
}

export function parseReport(text: string | undefined): VerificationOutput {
  if (!text) return { status: "no report: the verification Job has not written one" };
  try {
    return JSON.parse(text);
  } catch {
    return { status: "unreadable report", text: text.slice(0, 200) };
  }
}
