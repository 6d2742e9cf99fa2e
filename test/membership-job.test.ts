import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { parseChainSpec } from "../chain/spec";
import { ConsensusContractsDouble } from "../doubles/consensus-precompiled";
import { FiscoRpcDouble } from "../doubles/fisco-rpc-double";
import type { ProviderState } from "../offline/mocks/engine";
import type { OfflineRun } from "../offline/mocks/run-program";
import { CHART_DIR } from "../components/node-chart";
import { helmTemplate } from "./support/helm";
import { k8sObject, runChain } from "./support/offline-chain";

/*
 * membership.inCluster: the chart's membership Job as the component wires it (offline engine, the real helm), and the
 * Job's own command — the shipped members.js run with plain node, the declared set the chart rendered and the admin key
 * from the Secret — against FiscoRpcDouble (a test double of FISCO's native RPC over real mutual TLS, not a node).
 */

const NODES = ["node0", "node1", "node2", "node3"];
const jobs = (run: OfflineRun) =>
  run.engine
    .kubernetesObjects()
    .filter((r) => r.inputs.kind === "Job")
    .map((r) => r.inputs);
const membersJob = (run: OfflineRun) => jobs(run).find((j) => j.metadata.labels["app.kubernetes.io/component"] === "membership");
const verifyJob = (run: OfflineRun) => jobs(run).find((j) => j.metadata.labels["app.kubernetes.io/component"] === "verification");
const arg = (job: Record<string, any>, flag: string) =>
  (job.spec.template.spec.containers[0].args as string[]).find((a) => a.startsWith(`${flag}=`))?.slice(flag.length + 1);

describe("membership.inCluster, as the component wires it", () => {
  const state: ProviderState = new Map();
  let genesisRun: OfflineRun;
  let grown: OfflineRun;
  before(async () => {
    genesisRun = await runChain({ membership: { inCluster: true } }, state);
    // the chain grows by one declared sealer: same identities, the recorded genesis (4 sealers), node4 added
    grown = await runChain({ membership: { inCluster: true }, nodes: [...NODES, "node4"].map((name) => ({ name })) }, state);
  });

  test("off by default: no Job, no bundle, no admin key in the cluster", async () => {
    const off = await runChain();
    assert.equal(membersJob(off), undefined);
    assert.throws(() => k8sObject(off, "ConfigMap", "fisco-members-bundle"));
    assert.throws(() => k8sObject(off, "Secret", "fisco-membership-admin"));
    assert.equal(off.outputs.chartValues.membership.enabled, false);
  });

  test("the Job runs after every StatefulSet, the verification Job after it, and verification expects the declared sealers", () => {
    const job = membersJob(grown)!;
    const statefulSets = [...NODES, "node4"].map((n) => `apps/namespaces/fisco/StatefulSet/fisco-${n}`);
    const dependsOn = job.metadata.annotations["config.kubernetes.io/depends-on"].split(",");
    for (const ref of statefulSets) assert.ok(dependsOn.includes(ref), `${ref} in ${dependsOn}`);
    assert.ok(verifyJob(grown)!.metadata.annotations["config.kubernetes.io/depends-on"].split(",").includes(`batch/namespaces/fisco/Job/${job.metadata.name}`));
    assert.equal(job.metadata.annotations["pulumi.com/replaceUnready"], "true");
    const ids = grown.outputs.nodeIds as Record<string, string>;
    assert.deepEqual(
      arg(verifyJob(grown)!, "--expect-node-ids")!.split(","),
      [...NODES, "node4"].map((n) => ids[n]),
      "node4 is expected once membership ran",
    );
    assert.equal(arg(verifyJob(genesisRun)!, "--expect-node-ids")!.split(",").length, 4);
  });

  test("the Job needs no Kubernetes API and reads the admin key from its own Secret", () => {
    const pod = membersJob(grown)!.spec.template.spec;
    assert.equal(pod.automountServiceAccountToken, false);
    assert.equal(pod.serviceAccountName, undefined);
    const secret = k8sObject(grown, "Secret", "fisco-membership-admin");
    assert.equal(secret.stringData["admin.key"], grown.outputs.adminPrivateKey);
    assert.equal(pod.volumes.find((v: any) => v.name === "admin").secret.secretName, "fisco-membership-admin");
    assert.equal(pod.volumes.find((v: any) => v.name === "sdk").secret.secretName, grown.outputs.sdkSecretName);
    assert.equal(pod.containers[0].securityContext.readOnlyRootFilesystem, true);
    assert.equal(membersJob(grown)!.spec.template.metadata.labels["fisco-bcos.io/client"], "true", "admitted by the NetworkPolicy as an RPC client");
  });

  test("the Job's name follows the declared set: the same stack keeps it, a weight change makes a new one", async () => {
    const again = await runChain({ membership: { inCluster: true }, nodes: [...NODES, "node4"].map((name) => ({ name })) }, state);
    assert.equal(membersJob(again)!.metadata.name, membersJob(grown)!.metadata.name);
    assert.notEqual(membersJob(grown)!.metadata.name, membersJob(genesisRun)!.metadata.name);
    const heavier = await runChain({ membership: { inCluster: true }, nodes: [...NODES.map((name) => ({ name })), { name: "node4", weight: 2 }] }, state);
    assert.notEqual(membersJob(heavier)!.metadata.name, membersJob(grown)!.metadata.name);
  });

  test("not together with membership.hostRpcEndpoints", () => {
    assert.throws(
      () => parseChainSpec({ membership: { inCluster: true, hostRpcEndpoints: ["https://127.0.0.1:20200"] } }),
      /membership\.inCluster: cannot be true together with membership\.hostRpcEndpoints/,
    );
  });

  test("under Helm and GitOps the declared set and the Job are post-install/post-upgrade hooks before the verification's", async () => {
    const values = grown.outputs.chartValues;
    assert.equal(values.membership.hook, true);
    const objects = await helmTemplate(CHART_DIR, values, { namespace: "fisco", releaseName: "fisco" });
    const hooked = objects.filter((o) => o.metadata.annotations?.["helm.sh/hook"]);
    const weight = (component: string, kind: string) =>
      Number(
        hooked.find((o) => o.kind === kind && o.metadata.labels?.["app.kubernetes.io/component"] === component)!.metadata.annotations!["helm.sh/hook-weight"] ??
          0,
      );
    assert.ok(weight("membership", "ConfigMap") < weight("membership", "Job"));
    assert.ok(weight("membership", "Job") < weight("verification", "Job"));
  });

  describe("the Job's command, run as the pod runs it, against the RPC double", () => {
    let double: FiscoRpcDouble;
    let contracts: ConsensusContractsDouble;
    let dir: string;
    let argv: string[];
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), "membership-job-"));
      const file = (name: string, text: string) => writeFileSync(join(dir, name), text);
      const job = membersJob(grown)!;
      const declared = k8sObject(grown, "ConfigMap", job.metadata.name).data["declared.json"];
      file("declared.json", declared);
      file("members.js", k8sObject(grown, "ConfigMap", "fisco-members-bundle").data["members.js"]);
      file("admin.key", k8sObject(grown, "Secret", "fisco-membership-admin").stringData["admin.key"]);
      const sdk = k8sObject(grown, "Secret", grown.outputs.sdkSecretName).stringData;
      for (const name of ["ca.crt", "sdk.crt", "sdk.key"]) file(name, sdk[name]);
      const names = [...NODES, "node4"];
      const keys = names.map((n) => k8sObject(grown, "Secret", `fisco-${n}-keys`).stringData);
      contracts = new ConsensusContractsDouble(grown.outputs.adminAddress);
      double = await FiscoRpcDouble.start({
        ca: sdk["ca.crt"],
        nodes: names.map((name, i) => ({ name, nodeId: keys[i]["node.nodeid"].trim(), cert: keys[i]["ssl.crt"], key: keys[i]["ssl.key"] })),
        sealers: keys.slice(0, 4).map((k) => ({ nodeId: k["node.nodeid"].trim(), weight: 1 })),
        chainId: "chain0",
        initialHeight: 5,
        sealTimeMs: 15,
        syncDelayMs: 10,
        systemContracts: contracts.contracts,
      });
      // The Job's arguments with its mount paths moved here; the double's URLs stand in for the Services' DNS names.
      const mounts: Record<string, string> = { "/declared/": dir + "/", "/admin/": dir + "/" };
      argv = (job.spec.template.spec.containers[0].args as string[])
        .filter((a) => !a.startsWith("--sdk-dir="))
        .map((a) => Object.entries(mounts).reduce((s, [from, to]) => s.replace(`=${from}`, `=${to}`), a))
        .concat([
          `--rpc=${names.map((n) => double.url(n)).join(",")}`,
          ...["ca", "cert", "key"].map((f, i) => `--${f}=${join(dir, ["ca.crt", "sdk.crt", "sdk.key"][i])}`),
        ]);
    });

    after(async () => {
      await double?.close();
    });

    const runJob = (): Promise<{ code: number | null; out: string }> =>
      new Promise((resolve) => {
        const child = spawn(process.execPath, [join(dir, "members.js"), ...argv.map((a) => a.replace(/^--sync-timeout=\d+$/, "--sync-timeout=5"))], {
          cwd: dir,
          env: { PATH: process.env.PATH },
        });
        let out = "";
        child.stdout.on("data", (d) => (out += d));
        child.stderr.on("data", (d) => (out += d));
        child.on("close", (code) => resolve({ code, out }));
      });

    test("adds node4 as an observer, then as a sealer; a second run sends nothing; the key is never printed", async () => {
      const first = await runJob();
      assert.equal(first.code, 0, first.out);
      assert.match(first.out, /done: 5 sealers/);
      assert.deepEqual(
        contracts.calls.map((c) => c.method),
        ["addObserver", "addSealer"],
      );
      const second = await runJob();
      assert.equal(second.code, 0, second.out);
      assert.equal(contracts.calls.length, 2, "nothing sent the second time");
      const key = (grown.outputs.adminPrivateKey as string).replace(/^0x/, "");
      assert.ok(!first.out.includes(key) && !second.out.includes(key));
    });

    test("node4 removed from the stack: the next Job removes it from consensus and names it node4 (formerNodeIds), not by its id", async () => {
      const shrunk = await runChain({ membership: { inCluster: true }, nodes: NODES.map((name) => ({ name })) }, state, grown.outputs);
      const job = membersJob(shrunk)!;
      assert.notEqual(job.metadata.name, membersJob(grown)!.metadata.name);
      writeFileSync(join(dir, "declared.json"), k8sObject(shrunk, "ConfigMap", job.metadata.name).data["declared.json"]);
      const removal = await runJob();
      assert.equal(removal.code, 0, removal.out);
      assert.equal(contracts.calls.at(-1)?.method, "remove");
      assert.match(removal.out, /remove\(node4\)/);
      assert.doesNotMatch(removal.out, /undeclared-/);
    });
  });
});
