import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { VerificationRun } from "../chain/chart-values";
import { sha256Hex } from "../chain/digest";
import { genesisSealers } from "../chain/genesis-drift";
import { parseIni } from "../chain/ini";
import { verificationReportName } from "../chain/naming";
import type { ChainSpec } from "../chain/spec";

/** What the verification Job checks, and its run id: a digest of the recorded genesis, the workloads and the verifier. */
export function verificationRun(genesis: string, workloadValues: unknown, bundleDigest: string, hook: boolean): VerificationRun {
  const runId = sha256Hex(JSON.stringify([genesis, workloadValues, bundleDigest])).slice(0, 16);
  return { runId, hook, expectNodeIds: genesisSealers(parseIni(genesis)).map((s) => s.id) };
}

/**
 * The Job's report, as the stack output `verification`: read from the ConfigMap the verifier writes, after the chart
 * (and so the Job) is done. Not read during a preview, when the Job has not run.
 */
export function readVerificationReport(spec: ChainSpec, namespace: pulumi.Input<string>, after: pulumi.Resource, parent: pulumi.Resource): pulumi.Output<unknown> {
  if (!spec.verification.enabled) return pulumi.output({ status: "disabled" });
  if (pulumi.runtime.isDryRun()) return pulumi.output({ status: "pending: the verification Job runs during the update" });
  const report = k8s.core.v1.ConfigMap.get(`${spec.chainName}-verification-report`, pulumi.interpolate`${namespace}/${verificationReportName(spec)}`, {
    parent,
    dependsOn: [after],
  });
  return report.data.apply((data) => parseReport(data?.["report.json"]));
}

export function parseReport(text: string | undefined): unknown {
  if (!text) return { status: "no report: the verification Job has not written one" };
  try {
    return JSON.parse(text);
  } catch {
    return { status: "unreadable report", text: text.slice(0, 200) };
  }
}
