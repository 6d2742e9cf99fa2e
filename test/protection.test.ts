import assert from "node:assert/strict";
import { test } from "node:test";
import { runChain } from "./support/offline-chain";

const isIdentity = (type: string, name?: string) => type.startsWith("tls:") || type.startsWith("random:") || name === "fisco-genesis";
const PROD = { protect: true, kubernetes: { context: "prod-cluster" } };

test("protect: true protects identity (keys, certificates, seeds, the genesis record) and nothing that must update in place", async () => {
  const run = await runChain(PROD);
  const custom = run.engine.resources.filter((r) => r.custom && r.options);
  const identity = custom.filter((r) => isIdentity(r.type, r.inputs.metadata?.name));
  assert.ok(identity.length >= 4 * 3 + 5, `${identity.length}`);
  for (const r of identity) assert.equal(r.options!.protect, true, `${r.type} ${r.name}`);
  // pulumi-kubernetes replaces a ConfigMap/Secret whose data changes unless the provider allows mutation, and the
  // engine refuses to replace a protected resource: config objects are not protected, and update in place.
  const config = custom.filter((r) => (r.inputs.kind === "ConfigMap" || r.inputs.kind === "Secret") && r.inputs.metadata?.name !== "fisco-genesis");
  assert.ok(config.length >= 9);
  for (const r of config) assert.equal(r.options!.protect, false, `${r.inputs.kind} ${r.inputs.metadata.name}`);
});

test("the chain's objects go through one Kubernetes provider: the stack's context, ConfigMaps and Secrets mutable", async () => {
  const run = await runChain(PROD);
  const [provider, ...more] = run.engine.resources.filter((r) => r.type === "pulumi:providers:kubernetes");
  assert.equal(more.length, 0);
  assert.equal(provider.inputs.context, "prod-cluster");
  assert.equal(String(provider.inputs.enableConfigMapMutable), "true");
  assert.equal(String(provider.inputs.enableSecretMutable), "true");
});

test("by default nothing is protected, but the genesis record and the namespace are always kept on delete", async () => {
  const run = await runChain();
  const registered = run.engine.resources.filter((r) => r.options);
  assert.ok(registered.every((r) => !r.options!.protect));
  const genesis = registered.find((r) => r.inputs.metadata?.name === "fisco-genesis")!;
  assert.equal(genesis.options!.retainOnDelete, true);
  assert.deepEqual(genesis.options!.ignoreChanges, ["data"]);
  // Deleting a namespace deletes everything in it, whatever retainOnDelete says on its children.
  const namespace = registered.find((r) => r.inputs.kind === "Namespace")!;
  assert.equal(namespace.options!.retainOnDelete, true);
  // A node's keys outlive its removal from the stack, as its volume does.
  const keys = registered.filter((r) => r.inputs.kind === "Secret" && /-keys$/.test(r.inputs.metadata?.name ?? ""));
  assert.equal(keys.length, 4);
  for (const secret of keys) assert.equal(secret.options!.retainOnDelete, true, secret.inputs.metadata.name);
});

test("the namespace enforces Pod Security baseline, which every pod of the chart fits, and warns at restricted", async () => {
  const run = await runChain({ verification: { enabled: true }, web3: { enabled: true }, bench: { enabled: true } });
  const namespace = run.engine.kubernetesObjects().find((r) => r.inputs.kind === "Namespace")!.inputs;
  assert.equal(namespace.metadata.labels["pod-security.kubernetes.io/enforce"], "baseline");
  assert.equal(namespace.metadata.labels["pod-security.kubernetes.io/warn"], "restricted");
  const pods = run.engine.kubernetesObjects().flatMap((r) => (r.inputs.kind === "StatefulSet" || r.inputs.kind === "Job" ? [r.inputs.spec.template.spec] : []));
  assert.ok(pods.length >= 6);
  for (const pod of pods) {
    assert.ok(!pod.hostNetwork && !pod.hostPID && !pod.hostIPC, "no host namespaces");
    assert.ok(!(pod.volumes ?? []).some((v: any) => v.hostPath), "no hostPath volumes");
    for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
      assert.notEqual(c.securityContext?.privileged, true, c.name);
      assert.deepEqual(c.securityContext?.capabilities?.add ?? [], [], c.name);
      assert.ok(!(c.ports ?? []).some((p: any) => p.hostPort), `${c.name}: no hostPort`);
    }
  }
});
