import { createHash } from "node:crypto";
import type { Cluster } from "./cluster";
import { urnName, type StateResource } from "./pulumi";

/** What identifies a live object and its content: a replaced object has a new uid. */
export interface LiveObject {
  readonly uid: string;
  readonly generation?: number;
  readonly digest: string;
  readonly annotations: Record<string, string>;
  readonly object: any;
}

const KINDS = [
  "namespace",
  "configmaps",
  "secrets",
  "persistentvolumeclaims",
  "statefulsets",
  "services",
  "poddisruptionbudgets",
  "networkpolicies",
  "jobs",
  "serviceaccounts",
  "roles",
  "rolebindings",
];

const digest = (value: unknown) =>
  createHash("sha256")
    .update(JSON.stringify(value ?? null))
    .digest("hex")
    .slice(0, 16);

/** Every object of the chain's kinds in the namespace (and the namespace), as `Kind/name`. */
export async function liveSnapshot(cluster: Cluster, namespace: string): Promise<Map<string, LiveObject>> {
  const out = new Map<string, LiveObject>();
  for (const kind of KINDS) {
    const items = kind === "namespace" ? await cluster.get("namespace", undefined, namespace) : await cluster.get(kind, namespace);
    for (const o of items) {
      if (o.kind === "ConfigMap" && o.metadata.name === "kube-root-ca.crt") continue;
      out.set(`${o.kind}/${o.metadata.name}`, {
        uid: o.metadata.uid,
        generation: o.metadata.generation,
        digest: digest(o.data ?? o.spec),
        annotations: o.metadata.annotations ?? {},
        object: o,
      });
    }
  }
  return out;
}

/** Kubernetes objects the stack's state holds (no providers, no Chart component), as `Kind/name` → state uid. */
export function stateObjects(state: readonly StateResource[]): Map<string, { uid?: string; urn: string; resource: StateResource }> {
  const out = new Map<string, { uid?: string; urn: string; resource: StateResource }>();
  for (const r of state) {
    if (!r.custom || !r.type.startsWith("kubernetes:") || r.type.startsWith("pulumi:providers:")) continue;
    const o = r.outputs ?? {};
    if (!o.kind || !o.metadata?.name) continue;
    out.set(`${o.kind}/${o.metadata.name}`, { uid: o.metadata.uid, urn: r.urn, resource: r });
  }
  return out;
}

/** Secret values are stored encrypted, and re-encrypted whenever the state is written: compare them by presence only. */
const SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d";
function withoutCiphertexts(value: any): any {
  if (Array.isArray(value)) return value.map(withoutCiphertexts);
  if (value === null || typeof value !== "object") return value;
  if (SECRET_SIGNATURE in value) return "[secret]";
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutCiphertexts(v)]));
}

/** The chain's identity in the state: keys, certificates and seeds (tls, random), by URN → id and digest of the public outputs. */
export function identityOf(state: readonly StateResource[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of state) {
    if (r.type.startsWith("tls:") || r.type.startsWith("random:"))
      out.set(`${r.type.split(":").pop()} ${urnName(r.urn)}`, `${r.id} ${digest(withoutCiphertexts(r.outputs))}`);
  }
  return out;
}

/** Keys whose value differs between two maps (present in `before`). */
export function changedKeys<T>(before: ReadonlyMap<string, T>, after: ReadonlyMap<string, T>, same: (a: T, b: T) => boolean): string[] {
  return [...before.keys()].filter((k) => after.has(k) && !same(before.get(k)!, after.get(k)!));
}
