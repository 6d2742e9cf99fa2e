// Runs the real helm binary (installed by scripts/install-helm.mjs) and validates what it renders.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadAll } from "js-yaml";
import { StatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import { Job } from "kubernetes-models/batch/v1/Job";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { PersistentVolumeClaim } from "kubernetes-models/v1/PersistentVolumeClaim";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { Secret } from "kubernetes-models/v1/Secret";
import { Service } from "kubernetes-models/v1/Service";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { Role } from "kubernetes-models/rbac.authorization.k8s.io/v1/Role";
import { RoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding";
import { helmBinary, runHelm as runHelmOffline } from "../../offline/providers/helm";

export { helmBinary };

export interface ReleaseOptions {
  namespace: string;
  releaseName: string;
  /**
   * Core-v1 objects that the chart's `lookup` calls should find. When given, helm renders with
   * `--dry-run=server` against a minimal fake API server that serves only these objects.
   */
  live?: K8sObject[];
}

/** A rendered Kubernetes object, as parsed from helm's YAML output. */
export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
} & Record<string, any>;

/** Runs helm; with `live`, renders with `--dry-run=server` against a fake API server serving those objects. */
async function runHelm(args: string[], values: unknown, live?: K8sObject[]): Promise<string> {
  if (!live) return runHelmOffline(args, values);
  const dir = await mkdtemp(join(tmpdir(), "fisco-helm-live-"));
  const server = await startFakeApiServer(live);
  try {
    return await runHelmOffline(args, values, ["--dry-run=server", "--kubeconfig", await writeKubeconfig(dir, server)]);
  } finally {
    server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Serves core-v1 discovery and GET of the given objects; everything else is 404. Enough for `lookup`. */
async function startFakeApiServer(objects: K8sObject[]): Promise<Server> {
  const plural = (kind: string) => `${kind.toLowerCase()}s`;
  const byPath = new Map(objects.map((o) => [`/api/v1/namespaces/${o.metadata.namespace}/${plural(o.kind)}/${o.metadata.name}`, o]));
  const kinds = [...new Set(objects.map((o) => o.kind))];
  const discovery = {
    kind: "APIResourceList",
    groupVersion: "v1",
    resources: kinds.map((kind) => ({ name: plural(kind), singularName: kind.toLowerCase(), namespaced: true, kind, verbs: ["get", "list"] })),
  };
  const server = createServer((req, res) => {
    const path = (req.url ?? "").split("?")[0];
    const body = path === "/api/v1" ? discovery : byPath.get(path);
    res.setHeader("content-type", "application/json");
    res.statusCode = body ? 200 : 404;
    res.end(JSON.stringify(body ?? { kind: "Status", apiVersion: "v1", status: "Failure", reason: "NotFound", code: 404 }));
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  return server;
}

async function writeKubeconfig(dir: string, server: Server): Promise<string> {
  const { port } = server.address() as AddressInfo;
  const kubeconfig = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "fake", cluster: { server: `http://127.0.0.1:${port}` } }],
    users: [{ name: "fake", user: {} }],
    contexts: [{ name: "fake", context: { cluster: "fake", user: "fake" } }],
    "current-context": "fake",
  };
  const path = join(dir, "kubeconfig");
  await writeFile(path, JSON.stringify(kubeconfig), { mode: 0o600 });
  return path;
}

/** `helm template` output as text (for byte comparisons and text scans). */
export function helmTemplateText(chartDir: string, values: unknown, opts: ReleaseOptions): Promise<string> {
  return runHelm(["template", opts.releaseName, chartDir, "--namespace", opts.namespace], values, opts.live);
}

/** `helm template` output as objects, empty documents dropped. */
export async function helmTemplate(chartDir: string, values: unknown, opts: ReleaseOptions): Promise<K8sObject[]> {
  const docs = loadAll(await helmTemplateText(chartDir, values, opts));
  return docs.filter((doc): doc is K8sObject => doc !== null && typeof doc === "object");
}

/** `helm lint --strict`; resolves with its output, rejects when the chart has errors or warnings. */
export function helmLint(chartDir: string, values: unknown): Promise<string> {
  return runHelm(["lint", "--strict", chartDir], values);
}

const models: Record<string, new (data: any) => { validate(): void }> = {
  "apps/v1/StatefulSet": StatefulSet,
  "batch/v1/Job": Job,
  "networking.k8s.io/v1/NetworkPolicy": NetworkPolicy,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
  "v1/ConfigMap": ConfigMap,
  "v1/PersistentVolumeClaim": PersistentVolumeClaim,
  "v1/Namespace": Namespace,
  "v1/Secret": Secret,
  "v1/Service": Service,
  "v1/ServiceAccount": ServiceAccount,
  "rbac.authorization.k8s.io/v1/Role": Role,
  "rbac.authorization.k8s.io/v1/RoleBinding": RoleBinding,
};

/**
 * Validates one object against the Kubernetes OpenAPI schema via kubernetes-models.
 * Note: these validators check types, formats and required fields, not unknown field names.
 */
export function validateWithKubernetesModels(obj: { apiVersion?: string; kind?: string }): void {
  const Model = models[`${obj.apiVersion}/${obj.kind}`];
  if (!Model) throw new Error(`no kubernetes-models class for ${obj.apiVersion} ${obj.kind}`);
  new Model(obj).validate();
}
