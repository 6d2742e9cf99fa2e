import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { writeReportConfigMap, type ApiAccess } from "../verify/report-configmap";

/** A test double of the Kubernetes API: just ConfigMaps in one namespace, bearer-token checked, resourceVersion bumped. */
class KubernetesApiDouble {
  readonly store = new Map<string, any>();
  readonly calls: string[] = [];
  private readonly server = createServer((req, res) => this.handle(req, res));
  url = "";

  async start() {
    this.server.listen(0, "127.0.0.1");
    await once(this.server, "listening");
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop() {
    this.server.close();
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    let body = "";
    for await (const chunk of req) body += chunk;
    this.calls.push(`${req.method} ${req.url}`);
    const reply = (status: number, object: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(object));
    if (req.headers.authorization !== "Bearer sa-token") return reply(401, { reason: "Unauthorized" });
    const match = /^\/api\/v1\/namespaces\/ledger\/configmaps(?:\/([^/]+))?$/.exec(req.url ?? "");
    if (!match) return reply(404, {});
    const name = match[1];
    if (req.method === "GET") return this.store.has(name) ? reply(200, this.store.get(name)) : reply(404, { reason: "NotFound" });
    const object = JSON.parse(body);
    if (req.method === "POST") {
      if (this.store.has(object.metadata.name)) return reply(409, { reason: "AlreadyExists" });
      this.store.set(object.metadata.name, { ...object, metadata: { ...object.metadata, resourceVersion: "1" } });
      return reply(201, this.store.get(object.metadata.name));
    }
    if (req.method === "PUT") {
      if (object.metadata.resourceVersion !== this.store.get(name)?.metadata.resourceVersion) return reply(409, { reason: "Conflict" });
      this.store.set(name, { ...object, metadata: { ...object.metadata, resourceVersion: String(Number(object.metadata.resourceVersion) + 1) } });
      return reply(200, this.store.get(name));
    }
    reply(405, {});
  }
}

const api = new KubernetesApiDouble();
let access: ApiAccess;
before(async () => {
  await api.start();
  access = { server: api.url, token: "sa-token", namespace: "ledger" };
});
after(() => api.stop());

test("creates the report ConfigMap, then replaces it on the next run", async () => {
  await writeReportConfigMap("fisco-verification", '{"ok":true,"run":1}', access);
  assert.deepEqual(api.store.get("fisco-verification").data, { "report.json": '{"ok":true,"run":1}' });
  await writeReportConfigMap("fisco-verification", '{"ok":false,"run":2}', access);
  assert.deepEqual(api.store.get("fisco-verification").data, { "report.json": '{"ok":false,"run":2}' });
  assert.equal(api.store.get("fisco-verification").metadata.resourceVersion, "2");
  assert.deepEqual(
    api.calls.map((c) => c.split(" ")[0]),
    ["GET", "POST", "GET", "PUT"],
  );
});

test("an API refusal is an error that says what happened", async () => {
  await assert.rejects(writeReportConfigMap("fisco-verification", "{}", { ...access, token: "wrong" }), /reading ConfigMap fisco-verification: HTTP 401/);
});
