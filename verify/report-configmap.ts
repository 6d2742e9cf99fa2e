import { readFileSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { request as httpRequest } from "node:http";

/** Where a pod finds the Kubernetes API and its service account (the in-cluster defaults). */
export interface ApiAccess {
  readonly server: string;
  readonly token: string;
  readonly ca?: string;
  readonly namespace: string;
}

const SA_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

export function inClusterAccess(env: NodeJS.ProcessEnv = process.env): ApiAccess {
  const host = env.KUBERNETES_SERVICE_HOST ?? "kubernetes.default.svc";
  const port = env.KUBERNETES_SERVICE_PORT ?? "443";
  return {
    server: `https://${host.includes(":") ? `[${host}]` : host}:${port}`,
    token: readFileSync(`${SA_DIR}/token`, "utf8").trim(),
    ca: readFileSync(`${SA_DIR}/ca.crt`, "utf8"),
    namespace: env.NAMESPACE ?? readFileSync(`${SA_DIR}/namespace`, "utf8").trim(),
  };
}

interface ApiResponse {
  readonly status: number;
  readonly body: string;
}

function call(access: ApiAccess, method: string, path: string, body?: unknown): Promise<ApiResponse> {
  const url = new URL(path, access.server);
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method,
        ca: access.ca,
        headers: { authorization: `Bearer ${access.token}`, "content-type": "application/json", accept: "application/json" },
        timeout: 10_000,
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${method} ${url.pathname}: no answer in 10 s`)));
    req.on("error", reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/**
 * Store the verification report as `report.json` in a ConfigMap of the pod's namespace (create or replace),
 * where the Pulumi program reads it back as the stack output `verification`.
 */
export async function writeReportConfigMap(name: string, reportJson: string, access: ApiAccess): Promise<void> {
  const path = `/api/v1/namespaces/${access.namespace}/configmaps`;
  const existing = await call(access, "GET", `${path}/${name}`);
  const object = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name,
      namespace: access.namespace,
      labels: { "app.kubernetes.io/component": "verification" },
      ...(existing.status === 200 && { resourceVersion: JSON.parse(existing.body).metadata?.resourceVersion }),
    },
    data: { "report.json": reportJson },
  };
  if (existing.status !== 200 && existing.status !== 404) throw new Error(`reading ConfigMap ${name}: HTTP ${existing.status} ${existing.body.slice(0, 200)}`);
  const written = existing.status === 200 ? await call(access, "PUT", `${path}/${name}`, object) : await call(access, "POST", path, object);
  if (written.status < 200 || written.status >= 300) throw new Error(`writing ConfigMap ${name}: HTTP ${written.status} ${written.body.slice(0, 200)}`);
}
