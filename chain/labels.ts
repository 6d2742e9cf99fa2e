/** Labels every object of a chain carries; the chart uses the same keys. */
export function chainLabels(chainName: string, extra: Record<string, string> = {}): Record<string, string> {
  return { "app.kubernetes.io/name": "fisco-bcos", "app.kubernetes.io/instance": chainName, "app.kubernetes.io/managed-by": "pulumi", ...extra };
}

/** The label the chart's values.yaml admits to RPC and web3 by default (networkPolicy.client{Namespace,Pod}Labels). */
export const CHART_DEFAULT_CLIENT_LABELS: Readonly<Record<string, string>> = { "fisco-bcos.io/client": "true" };

/**
 * Labels as chart values that replace the chart's default map instead of merging into it: Helm merges maps, and a key
 * set to null is how a values file removes a default key.
 */
export function replacingChartDefaults(labels: Readonly<Record<string, string>>, defaults: Readonly<Record<string, string>>): Record<string, string | null> {
  return { ...Object.fromEntries(Object.keys(defaults).map((key) => [key, null])), ...labels };
}
