/** Labels every object of a chain carries; the chart uses the same keys. */
export function chainLabels(chainName: string, extra: Record<string, string> = {}): Record<string, string> {
  return { "app.kubernetes.io/name": "fisco-bcos", "app.kubernetes.io/instance": chainName, "app.kubernetes.io/managed-by": "pulumi", ...extra };
}
