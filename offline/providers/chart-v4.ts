import type { RegisteredResource } from "../mocks/registered-resource";
import { helmTemplate } from "./helm";

export const CHART_V4 = "kubernetes:helm.sh/v4:Chart";

/** The Pulumi type token of a Kubernetes object ("v1" is the "core" group). */
export function kubernetesTypeToken(object: { apiVersion: string; kind: string }): string {
  const groupVersion = object.apiVersion.includes("/") ? object.apiVersion : `core/${object.apiVersion}`;
  return `kubernetes:${groupVersion}:${object.kind}`;
}

/**
 * What the kubernetes provider's Chart v4 does: render the chart with helm and register every object as a child
 * named `<chart>:<namespace>/<name>`. Here the real helm binary renders it (without a cluster, so `lookup` finds nothing).
 */
export async function renderChartChildren(chartResourceName: string, inputs: Record<string, any>): Promise<RegisteredResource[]> {
  const objects = await helmTemplate(inputs.chart, inputs.values ?? {}, {
    namespace: inputs.namespace ?? "default",
    releaseName: inputs.name ?? chartResourceName,
  });
  return objects.map((object) => ({
    type: kubernetesTypeToken(object as { apiVersion: string; kind: string }),
    name: `${chartResourceName}:${object.metadata?.namespace ?? inputs.namespace}/${object.metadata?.name}`,
    custom: true,
    inputs: object,
    state: object,
  }));
}
