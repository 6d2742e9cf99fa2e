/** Label keys; charts/fisco-bcos/templates/_helpers.tpl writes the same ones. */
export const LABEL = {
  name: "app.kubernetes.io/name",
  instance: "app.kubernetes.io/instance",
  managedBy: "app.kubernetes.io/managed-by",
  component: "app.kubernetes.io/component",
  node: "fisco-bcos.io/node",
  role: "fisco-bcos.io/role",
  servesClients: "fisco-bcos.io/serves-clients",
  client: "fisco-bcos.io/client",
} as const;

/** What an object of the chain is, as its `app.kubernetes.io/component` label says. */
export type Component = "genesis" | "sdk" | "scripts" | "verification" | "membership";

/** Labels every object of a chain carries; the chart uses the same keys. */
export function chainLabels(chainName: string, extra: Record<string, string> = {}): Record<string, string> {
  return { [LABEL.name]: "fisco-bcos", [LABEL.instance]: chainName, [LABEL.managedBy]: "pulumi", ...extra };
}

/**
 * Pod Security Standards for a namespace the program creates: the chart's pods fit "baseline" (no privilege, no host
 * namespaces, all capabilities dropped) but not "restricted", since the official image runs as root (it sets no USER);
 * warnings and audit show what "restricted" would refuse.
 */
export const POD_SECURITY_LABELS: Readonly<Record<string, string>> = {
  "pod-security.kubernetes.io/enforce": "baseline",
  "pod-security.kubernetes.io/warn": "restricted",
  "pod-security.kubernetes.io/audit": "restricted",
};

/** The chain's labels plus its component label. */
export const componentLabels = (chainName: string, component: Component) => chainLabels(chainName, { [LABEL.component]: component });

/** The chain's labels plus the node label: a node's Secret and ConfigMap. */
export const nodeLabels = (chainName: string, nodeName: string) => chainLabels(chainName, { [LABEL.node]: nodeName });

/** The label the chart's values.yaml admits to RPC and web3 by default (networkPolicy.client{Namespace,Pod}Labels). */
export const CHART_DEFAULT_CLIENT_LABELS: Readonly<Record<string, string>> = { [LABEL.client]: "true" };

/**
 * Labels as chart values that replace the chart's default map instead of merging into it: Helm merges maps, and a key
 * set to null is how a values file removes a default key.
 */
export function replacingChartDefaults(labels: Readonly<Record<string, string>>, defaults: Readonly<Record<string, string>>): Record<string, string | null> {
  return { ...Object.fromEntries(Object.keys(defaults).map((key) => [key, null])), ...labels };
}
