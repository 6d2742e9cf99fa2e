import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { join } from "node:path";
import type { ChartValues } from "../chain/chart-values";
import { PROJECT_ROOT } from "../project-root";

/** charts/fisco-bcos: the one definition of the node workloads, shared with GitOps tools. */
export const CHART_DIR = join(PROJECT_ROOT, "charts", "fisco-bcos");

export interface NodeChartArgs {
  readonly releaseName: string;
  readonly namespace: pulumi.Input<string>;
  readonly values: pulumi.Input<ChartValues>;
  /** The chain's Kubernetes provider: a remote component inherits none from its parent, so it is passed on. */
  readonly provider: k8s.Provider;
  readonly protectVolumes: boolean;
}

/**
 * Node data volumes outlive the chart, as `helm.sh/resource-policy: keep` makes them do under Helm:
 * removing a node, or the whole chain, from the program leaves its PVC in the cluster. With `protect` (the stack's
 * setting) the engine also refuses to delete or replace them: a ledger is identity.
 */
export function keepVolumes(protect: boolean): pulumi.ResourceTransform {
  return (args) => {
    if (args.type !== "kubernetes:core/v1:PersistentVolumeClaim") return undefined;
    return { props: args.props, opts: pulumi.mergeOptions(args.opts, { retainOnDelete: true, protect }) };
  };
}

/** StatefulSets, Services, PVCs, the PDB and NetworkPolicies of the chain, from the chart (Helm Chart v4, rendered client-side). */
export class NodeChart extends pulumi.ComponentResource {
  readonly chart: k8s.helm.v4.Chart;

  constructor(name: string, args: NodeChartArgs, opts?: pulumi.ComponentResourceOptions) {
    // Renamed from NodeWorkloads: the alias keeps existing stacks from replacing the chart's objects.
    super("fisco-bcos:index:NodeChart", name, {}, pulumi.mergeOptions(opts, { aliases: [{ type: "fisco-bcos:index:NodeWorkloads" }] }));
    this.chart = new k8s.helm.v4.Chart(
      name,
      { name: args.releaseName, chart: CHART_DIR, namespace: args.namespace, values: args.values as pulumi.Input<Record<string, unknown>> },
      { parent: this, provider: args.provider, transforms: [keepVolumes(args.protectVolumes)] },
    );
    this.registerOutputs({});
  }
}
