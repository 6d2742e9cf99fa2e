import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { load } from "js-yaml";
import { EXAMPLE } from "../scripts/chart-example-values";
import { before, describe, test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { filesDigest, sha256Hex } from "../chain/digest";
import { keepVolumes } from "../components/node-chart";
import { CHART_V4 } from "../offline/providers/chart-v4";
import type { OfflineRun } from "../offline/mocks/run-program";
import { k8sObject, resourcesOfType, runChain } from "./support/offline-chain";
import { validateWithKubernetesModels } from "./support/helm";

const NODES = ["node0", "node1", "node2", "node3"];
let run: OfflineRun;
const rendered = () =>
  run.engine
    .kubernetesObjects()
    .filter((r) => r.name.startsWith("fisco-workloads:"))
    .map((r) => r.inputs);

before(async () => {
  run = await runChain({ namespace: "ledger", clusterDomain: "corp.local", web3: { enabled: true } });
});

describe("FiscoBcosChain installs the chart", () => {
  test("one Helm Chart v4 resource: the project's chart, the chain's namespace, the component's values", () => {
    const charts = resourcesOfType(run, CHART_V4);
    assert.equal(charts.length, 1);
    assert.equal(charts[0].inputs.chart, join(__dirname, "..", "charts", "fisco-bcos"));
    assert.equal(charts[0].inputs.namespace, "ledger");
    const { verification } = run.outputs.chartValues;
    assert.equal(verification.hook, true, "the stack output is for Helm and GitOps: the Job is a hook there");
    assert.deepEqual(
      charts[0].inputs.values,
      { ...run.outputs.chartValues, verification: { ...verification, hook: false } },
      "Chart v4 skips hooks: a plain Job",
    );
  });

  test("the chart's objects are the workloads: a StatefulSet and Service per node, PVCs, PDB, NetworkPolicies; valid", () => {
    const kinds = rendered().map((o) => o.kind);
    assert.equal(kinds.filter((k) => k === "StatefulSet").length, NODES.length);
    assert.equal(kinds.filter((k) => k === "PersistentVolumeClaim").length, NODES.length);
    assert.ok(kinds.includes("PodDisruptionBudget") && kinds.includes("NetworkPolicy"));
    for (const object of rendered()) validateWithKubernetesModels(object);
  });

  test("every StatefulSet mounts the Secret and ConfigMap the component registered for its node", () => {
    for (const node of NODES) {
      const sts = rendered().find((o) => o.kind === "StatefulSet" && o.metadata.name === `fisco-${node}`)!;
      const volumes = Object.fromEntries(sts.spec.template.spec.volumes.map((v: any) => [v.name, v]));
      const secret = k8sObject(run, "Secret", volumes.keys.secret.secretName);
      const configMap = k8sObject(run, "ConfigMap", volumes.config.configMap.name);
      assert.equal(secret.metadata.labels["fisco-bcos.io/node"], node);
      assert.equal(configMap.metadata.labels["fisco-bcos.io/node"], node);
      const { "config.ini": ini, "config.genesis": genesis } = configMap.data;
      const conf = sha256Hex([secret.stringData["ca.crt"], secret.stringData["ssl.crt"], secret.stringData["node.nodeid"].trim()].join("\n"));
      assert.equal(
        sts.spec.template.metadata.annotations["fisco-bcos.io/config-checksum"],
        filesDigest({ "config.ini": ini, "config.genesis": genesis, conf }),
      );
    }
  });

  test("every peer address in nodes.json is a per-node Service of the chart, on its P2P port", () => {
    const peers: string[] = JSON.parse(k8sObject(run, "ConfigMap", "fisco-node0-config").data["nodes.json"]).nodes;
    const services = rendered().filter((o) => o.kind === "Service");
    for (const peer of peers) {
      const [host, port] = peer.split(":");
      const [name, namespace, svc, ...domain] = host.split(".");
      assert.equal(`${namespace}.${svc}.${domain.join(".")}`, "ledger.svc.corp.local");
      const service = services.find((s) => s.metadata.name === name);
      assert.ok(service, `no Service ${name} for peer ${peer}`);
      assert.ok(service.spec.ports.some((p: any) => p.name === "p2p" && p.port === Number(port)));
    }
    assert.equal(peers.length, NODES.length);
  });

  test("no key material in the chart's objects", () => {
    const text = JSON.stringify(rendered());
    assert.doesNotMatch(text, /PRIVATE KEY|BEGIN CERTIFICATE/);
    assert.ok(!rendered().some((o) => o.kind === "Secret"));
  });

  test("the config checksum covers config.ini and config.genesis, not nodes.json (reloaded live by the sidecar)", async () => {
    const base = { namespace: "ledger", clusterDomain: "corp.local", web3: { enabled: true } };
    const state = new Map();
    const before = await runChain(base, state);
    const grown = await runChain({ ...base, nodes: [...NODES, "node4"].map((name) => ({ name })) }, state);
    assert.notEqual(
      k8sObject(grown, "ConfigMap", "fisco-node0-config").data["nodes.json"],
      k8sObject(before, "ConfigMap", "fisco-node0-config").data["nodes.json"],
    );
    assert.equal(
      grown.outputs.chartValues.nodes[0].configChecksum,
      before.outputs.chartValues.nodes[0].configChecksum,
      "adding a node restarts no running node",
    );
    const relogged = await runChain({ ...base, log: { level: "debug" } }, state);
    assert.notEqual(
      relogged.outputs.chartValues.nodes[0].configChecksum,
      before.outputs.chartValues.nodes[0].configChecksum,
      "a config.ini change rolls the pods",
    );
  });

  test("renewed certificates roll every node and run the verification again; expiry dates are stack outputs", async () => {
    const state = new Map();
    const before = await runChain({}, state);
    const expiry = before.outputs.certificateExpiry;
    assert.deepEqual(Object.keys(expiry.nodes), NODES);
    for (const date of [expiry.ca, expiry.sdk, ...Object.values(expiry.nodes)])
      assert.ok(Date.parse(date as string) > Date.now() + 99 * 365 * 864e5, String(date));
    const renewed = await runChain({ certificates: { validityDays: 365 } }, state);
    assert.ok(Date.parse(renewed.outputs.certificateExpiry.nodes.node0) < Date.now() + 366 * 864e5);
    for (const [i, node] of NODES.entries()) {
      assert.notEqual(
        renewed.outputs.chartValues.nodes[i].configChecksum,
        before.outputs.chartValues.nodes[i].configChecksum,
        `${node} must restart to read its new certificate`,
      );
    }
    assert.notEqual(renewed.outputs.chartValues.verification.runId, before.outputs.chartValues.verification.runId);
    const again = await runChain({ certificates: { validityDays: 365 } }, state);
    assert.equal(
      again.outputs.chartValues.nodes[0].configChecksum,
      renewed.outputs.chartValues.nodes[0].configChecksum,
      "unchanged certificates restart nothing",
    );
  });
});

describe("node volumes outlive the chart", () => {
  const args = (type: string) => ({ type, name: "x", props: { a: 1 }, opts: {}, custom: true }) as unknown as pulumi.ResourceTransformArgs;

  test("PVCs get retainOnDelete, and protect with the stack's protect; nothing else is touched", () => {
    for (const protect of [false, true]) {
      const pvc = keepVolumes(protect)(args("kubernetes:core/v1:PersistentVolumeClaim")) as pulumi.ResourceTransformResult;
      assert.equal(pvc.opts.retainOnDelete, true);
      assert.equal(pvc.opts.protect, protect);
      assert.deepEqual(pvc.props, { a: 1 });
      assert.equal(keepVolumes(protect)(args("kubernetes:apps/v1:StatefulSet")), undefined);
    }
  });
});

describe("the chart's example values", () => {
  test("are what the component outputs for the default chain (only digests and key-derived ids differ between runs)", async () => {
    const example = load(readFileSync(EXAMPLE, "utf8"));
    const fresh = (await runChain()).outputs.chartValues;
    const shape = (value: unknown): unknown =>
      typeof value === "string" && /^[0-9a-f]{16,}$/.test(value)
        ? `<${value.length} hex>`
        : Array.isArray(value)
          ? value.map(shape)
          : value && typeof value === "object"
            ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shape(v)]))
            : value;
    assert.deepEqual(shape(example), shape(fresh));
  });
});

describe("workloads.manager: gitops", () => {
  test("the stack keeps identity, configuration and the verifier bundle, and leaves the chart to Argo CD or Flux", async () => {
    const gitops = await runChain({ workloads: { manager: "gitops" } });
    assert.equal(resourcesOfType(gitops, CHART_V4).length, 0);
    assert.ok(!gitops.engine.kubernetesObjects().some((r) => r.inputs.kind === "StatefulSet"));
    for (const name of ["fisco-node0-keys", "fisco-sdk"]) assert.ok(k8sObject(gitops, "Secret", name));
    for (const name of ["fisco-node0-config", "fisco-genesis", "fisco-verifier-bundle"]) assert.ok(k8sObject(gitops, "ConfigMap", name));
    assert.equal(gitops.outputs.chartValues.verification.hook, true);
    assert.match(gitops.outputs.verification.status, /GitOps tool/);
  });
});

describe("bench.enabled: the load generator as a Job of the chart", () => {
  test("ships the bundled CLI and worker in a ConfigMap and runs them on the native path with the SDK Secret (no web3)", async () => {
    const run = await runChain({ bench: { enabled: true, txs: 500, concurrency: 4 } });
    const bundle = k8sObject(run, "ConfigMap", "fisco-bench-bundle").data;
    assert.deepEqual(Object.keys(bundle).sort(), ["bench.js", "sign-worker.js"]);
    const job = run.engine.kubernetesObjects().find((r) => r.inputs.kind === "Job" && r.inputs.metadata.name.startsWith("fisco-bench-"))!.inputs;
    const [c] = job.spec.template.spec.containers;
    assert.deepEqual(c.command, ["node", "/bench/bench.js"]);
    assert.ok(c.args.includes("--sdk-dir=/sdk") && !c.args.some((a: string) => a.startsWith("--web3")));
    assert.ok(c.args.includes("--txs=500") && c.args.includes("--concurrency=4"));
    const sdk = job.spec.template.spec.volumes.find((v: { name: string }) => v.name === "sdk");
    assert.equal(sdk.secret.secretName, "fisco-sdk");
    assert.deepEqual(
      c.volumeMounts.find((m: { name: string }) => m.name === "sdk"),
      { name: "sdk", mountPath: "/sdk", readOnly: true },
    );
    assert.equal(job.spec.template.metadata.labels["fisco-bcos.io/client"], "true", "admitted by the NetworkPolicy");
    validateWithKubernetesModels(job);
  });
});
