// Renders charts/fisco-bcos with the real helm binary and checks the objects it produces.
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { load } from "js-yaml";
import { maxSealersDown } from "../chain/consensus";
import { MIN_STORAGE_MI, STORAGE_SIZE_PATTERN } from "../chain/storage-size";
import { chartValues } from "../chain/chart-values";
import { CHART_DEFAULT_CLIENT_LABELS } from "../chain/labels";
import { parseChainSpec } from "../chain/spec";
import { runChain } from "./support/offline-chain";
import { chartValuesFor, type ChartValues } from "./fixtures/chart-values";
import { helmLint, helmTemplate, helmTemplateText, validateWithKubernetesModels, type K8sObject } from "./support/helm";

const chartDir = resolve(__dirname, "..", "charts", "fisco-bcos");
const release = { namespace: "chain", releaseName: "fisco-release" };

const render = (values: unknown, live?: K8sObject[]) => helmTemplate(chartDir, values, { ...release, live });
const ofKind = (objs: K8sObject[], kind: string) => objs.filter((o) => o.kind === kind);
const named = (objs: K8sObject[], kind: string, name: string) => objs.find((o) => o.kind === kind && o.metadata.name === name);

/** A deep copy of `values` changed by `edit`. */
function changed(values: ChartValues, edit: (v: any) => void): ChartValues {
  const copy = structuredClone(values);
  edit(copy);
  return copy;
}

/** Kubernetes label-selector semantics for matchLabels (and a plain Service selector). */
function selects(selector: Record<string, string>, labels: Record<string, string> = {}): boolean {
  assert.ok(Object.keys(selector).length > 0, "empty selector selects everything");
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

const podLabels = (sts: K8sObject): Record<string, string> => sts.spec.template.metadata.labels;
const container = (sts: K8sObject) => sts.spec.template.spec.containers.find((c: any) => c.name === "fisco-bcos");

/** Names of the StatefulSets whose pods `selector` selects. */
function selectedNodes(objs: K8sObject[], selector: Record<string, string>): string[] {
  return ofKind(objs, "StatefulSet")
    .filter((sts) => selects(selector, podLabels(sts)))
    .map((sts) => sts.metadata.name)
    .sort();
}

/** The PDB rule the component uses (chain/consensus.ts), to check the chart computes the same in its template. */
const expectedMaxUnavailable = (sealerWeights: number[]) => maxSealersDown(sealerWeights.map((weight, i) => ({ name: `s${i}`, weight })));

for (const size of [1, 4, 7]) {
  describe(`chart with ${size} node(s), values from the FiscoBcosChain component under mocks`, () => {
    let values: ChartValues;
    let nodeNames: string[] = [];
    let objs: K8sObject[] = [];
    before(async () => {
      const nodes = Array.from({ length: size }, (_, i) => ({ name: `node${i}` }));
      values = (await runChain({ nodes, namespace: release.namespace })).outputs.chartValues;
      nodeNames = values.nodes.map((n) => `${values.chainName}-${n.name}`).sort();
      objs = await render(values);
    });

    test("renders objects that validate with kubernetes-models", () => {
      assert.ok(objs.length > 0);
      for (const obj of objs) assert.doesNotThrow(() => validateWithKubernetesModels(obj), `${obj.kind} ${obj.metadata.name}`);
    });

    test("one StatefulSet per node, selecting only its own pod", () => {
      const sets = ofKind(objs, "StatefulSet");
      assert.deepEqual(sets.map((s) => s.metadata.name).sort(), nodeNames);
      for (const sts of sets) {
        assert.deepEqual(selectedNodes(objs, sts.spec.selector.matchLabels), [sts.metadata.name]);
        assert.equal(sts.spec.replicas, 1);
        assert.equal(sts.spec.serviceName, `${values.chainName}-headless`);
        assert.equal(sts.spec.podManagementPolicy, "Parallel");
        assert.equal(sts.spec.volumeClaimTemplates, undefined);
      }
    });

    test("one ClusterIP Service per node, named for nodes.json and selecting only that node", () => {
      for (const node of values.nodes) {
        const name = `${values.chainName}-${node.name}`;
        const svc = named(objs, "Service", name);
        assert.ok(svc, `Service ${name}`);
        assert.equal(svc.spec.type, "ClusterIP");
        assert.deepEqual(selectedNodes(objs, svc.spec.selector), [name]);
        const ports = Object.fromEntries(svc.spec.ports.map((p: any) => [p.name, p.port]));
        const { p2p, rpc, web3 } = values.ports;
        assert.deepEqual(ports, values.web3.enabled ? { p2p, rpc, web3 } : { p2p, rpc });
        const peer = `${name}.${release.namespace}.svc.${values.clusterDomain}:${p2p}`;
        assert.equal(svc.metadata.annotations?.["fisco-bcos.io/peer-address"], peer);
      }
    });

    test("headless and RPC Services select every node", () => {
      const headless = named(objs, "Service", `${values.chainName}-headless`)!;
      assert.equal(headless.spec.clusterIP, "None");
      assert.equal(headless.spec.publishNotReadyAddresses, true);
      assert.deepEqual(selectedNodes(objs, headless.spec.selector), nodeNames);
      const rpc = named(objs, "Service", `${values.chainName}-rpc`)!;
      assert.deepEqual(selectedNodes(objs, rpc.spec.selector), nodeNames);
      assert.deepEqual(
        rpc.spec.ports.map((p: any) => [p.port, p.targetPort]),
        [[values.ports.rpc, "rpc"]],
      );
      assert.equal(named(objs, "Service", `${values.chainName}-web3`) !== undefined, values.web3.enabled);
    });

    test("standalone PVC per node, kept on removal, mounted at /data/data", () => {
      for (const node of values.nodes) {
        const pvc = named(objs, "PersistentVolumeClaim", `${values.chainName}-${node.name}-data`)!;
        assert.ok(pvc, node.name);
        assert.equal(pvc.metadata.annotations?.["helm.sh/resource-policy"], "keep");
        assert.deepEqual(pvc.spec.accessModes, ["ReadWriteOnce"]);
        assert.equal(pvc.spec.resources.requests.storage, node.storage.size);
        assert.equal(pvc.spec.storageClassName, node.storage.storageClassName || undefined, '"" = cluster default: omitted');
        const sts = named(objs, "StatefulSet", `${values.chainName}-${node.name}`)!;
        const data = sts.spec.template.spec.volumes.find((v: any) => v.name === "data");
        assert.equal(data.persistentVolumeClaim.claimName, pvc.metadata.name);
      }
    });

    test("PDB over the sealers with the PBFT fault budget", () => {
      const sealers = values.nodes.filter((n) => n.role === "sealer");
      const pdb = named(objs, "PodDisruptionBudget", `${values.chainName}-sealers`)!;
      assert.equal(pdb.spec.maxUnavailable, expectedMaxUnavailable(sealers.map((n) => n.weight)));
      assert.deepEqual(selectedNodes(objs, pdb.spec.selector.matchLabels), sealers.map((n) => `${values.chainName}-${n.name}`).sort());
    });

    test("every object carries the common labels and the release namespace", () => {
      for (const obj of objs) {
        const labels = obj.metadata.labels ?? {};
        assert.equal(labels["app.kubernetes.io/managed-by"], "Helm", `${obj.kind} ${obj.metadata.name}`);
        assert.equal(labels["app.kubernetes.io/instance"], values.chainName);
        assert.match(labels["helm.sh/chart"], /^fisco-bcos-\d+\.\d+\.\d+$/);
        assert.equal(obj.metadata.namespace, release.namespace);
        assert.ok(obj.metadata.name.startsWith(`${values.chainName}-`), obj.metadata.name);
      }
    });

    test("helm lint --strict is clean", async () => {
      await helmLint(chartDir, values);
    });
  });
}

describe("node StatefulSet", () => {
  const values = chartValuesFor([1, 1, 1, 1], { roles: ["sealer", "sealer", "sealer", "observer"] });

  test("container runs fisco-bcos in /data with config files, keys, data and log mounted", async () => {
    const objs = await render(values);
    for (const node of values.nodes) {
      const sts = named(objs, "StatefulSet", `${values.chainName}-${node.name}`)!;
      const pod = sts.spec.template;
      const c = container(sts);
      assert.equal(c.name, "fisco-bcos");
      assert.equal(c.image, `${values.image.repository}:${values.image.tag}`);
      assert.equal(c.workingDir, "/data");
      assert.deepEqual(c.args, ["-c", "config.ini", "-g", "config.genesis"]);
      const mounts = Object.fromEntries(c.volumeMounts.map((m: any) => [m.mountPath, m]));
      const volumes = Object.fromEntries(pod.spec.volumes.map((v: any) => [v.name, v]));
      for (const file of ["config.ini", "config.genesis"]) {
        assert.equal(mounts[`/data/${file}`].subPath, file);
        assert.equal(volumes[mounts[`/data/${file}`].name].configMap.name, node.configMapName);
      }
      assert.deepEqual(volumes[mounts["/data"].name].emptyDir, {}, "a writable working directory");
      assert.equal(mounts["/data/peers"].subPath, undefined, "nodes.json comes from a directory mount the kubelet updates");
      assert.equal(volumes[mounts["/data/peers"].name].configMap.name, node.configMapName);
      assert.equal(mounts["/data/conf"].readOnly, true);
      assert.deepEqual(volumes[mounts["/data/conf"].name].secret, { secretName: node.secretName, defaultMode: 0o400 });
      assert.ok(volumes[mounts["/data/data"].name].persistentVolumeClaim);
      assert.deepEqual(volumes[mounts["/data/log"].name].emptyDir, {});
      assert.deepEqual(c.securityContext.capabilities.drop, ["ALL"]);
      assert.equal(c.securityContext.allowPrivilegeEscalation, false);
      assert.deepEqual(c.resources, node.resources);
    }
  });

  test("pod labels and config checksum annotation", async () => {
    const objs = await render(values);
    for (const node of values.nodes) {
      const pod = named(objs, "StatefulSet", `${values.chainName}-${node.name}`)!.spec.template;
      assert.deepEqual(pod.metadata.labels, {
        "app.kubernetes.io/name": "fisco-bcos",
        "app.kubernetes.io/instance": values.chainName,
        "app.kubernetes.io/component": "node",
        "fisco-bcos.io/node": node.name,
        "fisco-bcos.io/role": node.role,
        "fisco-bcos.io/serves-clients": String(node.servesClients),
      });
      assert.equal(pod.metadata.annotations["fisco-bcos.io/config-checksum"], node.configChecksum);
    }
  });

  test("a new config checksum changes only that node's pod template", async () => {
    const before = await render(values);
    const after = await render(changed(values, (v) => (v.nodes[1].configChecksum = "0".repeat(64))));
    for (const node of values.nodes) {
      const name = `${values.chainName}-${node.name}`;
      const same = JSON.stringify(named(before, "StatefulSet", name)) === JSON.stringify(named(after, "StatefulSet", name));
      assert.equal(same, node.name !== "node1", name);
    }
  });

  test("probes are tcpSocket checks on the p2p and rpc ports", async () => {
    const objs = await render(values);
    for (const sts of ofKind(objs, "StatefulSet")) {
      const c = container(sts);
      const portNumber = (port: string | number) => c.ports.find((p: any) => p.name === port)?.containerPort ?? port;
      const probed = new Set<number>();
      for (const kind of ["startupProbe", "readinessProbe", "livenessProbe"]) {
        const probe = c[kind];
        assert.deepEqual(
          Object.keys(probe).filter((k) => ["tcpSocket", "httpGet", "exec", "grpc"].includes(k)),
          ["tcpSocket"],
          kind,
        );
        probed.add(portNumber(probe.tcpSocket.port));
      }
      assert.deepEqual([...probed].sort(), [20200, 30300]);
    }
  });

  test("container ports are p2p and rpc, plus web3 only when enabled", async () => {
    const ports = async (v: ChartValues) =>
      ofKind(await render(v), "StatefulSet").map((s) => container(s).ports.map((p: any) => `${p.name}:${p.containerPort}`));
    for (const list of await ports(values)) assert.deepEqual(list, ["p2p:30300", "rpc:20200"]);
    const web3 = changed(values, (v) => (v.web3.enabled = true));
    for (const list of await ports(web3)) assert.deepEqual(list, ["p2p:30300", "rpc:20200", "web3:8545"]);
  });
});

describe("sealer anti-affinity", () => {
  const values = chartValuesFor([1, 1, 1, 1, 1], { roles: ["sealer", "sealer", "sealer", "sealer", "observer"] });
  const sealers = values.nodes
    .filter((n) => n.role === "sealer")
    .map((n) => `${values.chainName}-${n.name}`)
    .sort();

  const affinityOf = (objs: K8sObject[], node: string) =>
    named(objs, "StatefulSet", `${values.chainName}-${node}`)!.spec.template.spec.affinity?.podAntiAffinity;

  test("preferred: weight 100 per host, against the chain's sealers only", async () => {
    const objs = await render(values);
    for (const node of values.nodes.filter((n) => n.role === "sealer")) {
      const anti = affinityOf(objs, node.name);
      assert.equal(anti.requiredDuringSchedulingIgnoredDuringExecution, undefined);
      const [pref] = anti.preferredDuringSchedulingIgnoredDuringExecution;
      assert.equal(pref.weight, 100);
      assert.equal(pref.podAffinityTerm.topologyKey, "kubernetes.io/hostname");
      assert.deepEqual(selectedNodes(objs, pref.podAffinityTerm.labelSelector.matchLabels), sealers);
      assert.equal(pref.podAffinityTerm.labelSelector.matchLabels["app.kubernetes.io/instance"], values.chainName);
    }
    assert.equal(affinityOf(objs, "node4"), undefined, "observers are not spread");
  });

  test("required: hard anti-affinity per host", async () => {
    const objs = await render(changed(values, (v) => (v.scheduling.sealerSpread = "required")));
    for (const node of values.nodes.filter((n) => n.role === "sealer")) {
      const anti = affinityOf(objs, node.name);
      assert.equal(anti.preferredDuringSchedulingIgnoredDuringExecution, undefined);
      const [term] = anti.requiredDuringSchedulingIgnoredDuringExecution;
      assert.equal(term.topologyKey, "kubernetes.io/hostname");
      assert.deepEqual(selectedNodes(objs, term.labelSelector.matchLabels), sealers);
    }
  });
});

describe("PodDisruptionBudget from vote weights", () => {
  const pdbOf = async (weights: number[], roles?: ("sealer" | "observer")[]) => {
    const values = chartValuesFor(weights, { roles });
    return named(await render(values), "PodDisruptionBudget", `${values.chainName}-sealers`)!;
  };

  const cases: [string, number[], number][] = [
    ["four equal sealers", [1, 1, 1, 1], 1],
    ["seven equal sealers", [1, 1, 1, 1, 1, 1, 1], 2],
    ["one heavy sealer holds the quorum", [3, 1, 1, 1], 0],
    ["a single sealer", [1], 0],
    ["three sealers tolerate no fault", [1, 1, 1], 0],
    ["multi-digit weights sort numerically", [10, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2], 0],
    ["ten equal heavy sealers", Array(10).fill(25), 3],
  ];
  for (const [label, weights, expected] of cases) {
    test(`${label}: ${weights.join(",")} -> ${expected}`, async () => {
      assert.equal(expectedMaxUnavailable(weights), expected, "reference implementation");
      assert.equal((await pdbOf(weights)).spec.maxUnavailable, expected);
    });
  }

  test("mixed weights agree with the reference rule", async () => {
    for (const weights of [
      [5, 4, 3, 2, 1, 1, 1, 1, 1, 1],
      [2, 2, 1, 1, 1, 1, 1],
      [100, 1, 50, 1, 1, 49, 2],
    ]) {
      assert.equal((await pdbOf(weights)).spec.maxUnavailable, expectedMaxUnavailable(weights), weights.join(","));
    }
  });

  test("observers are excluded from the weights and the selector", async () => {
    const pdb = await pdbOf([1, 1, 1, 1, 5], ["sealer", "sealer", "sealer", "sealer", "observer"]);
    assert.equal(pdb.spec.maxUnavailable, 1);
    assert.equal(pdb.spec.selector.matchLabels["fisco-bcos.io/role"], "sealer");
    const objs = await render(chartValuesFor([1, 1, 1, 1, 5], { roles: ["sealer", "sealer", "sealer", "sealer", "observer"] }));
    assert.deepEqual(selectedNodes(objs, pdb.spec.selector.matchLabels), ["fisco-node0", "fisco-node1", "fisco-node2", "fisco-node3"]);
  });
});

describe("NetworkPolicy", () => {
  const values = chartValuesFor([1, 1, 1, 1]);
  const otherChainPod = { "app.kubernetes.io/name": "fisco-bcos", "app.kubernetes.io/instance": "other", "app.kubernetes.io/component": "node" };

  /** Every ingress rule with its ports, for the policies that select all of this chain's node pods. */
  async function ingressRules(v: ChartValues) {
    const objs = await render(v);
    const nodes = ofKind(objs, "StatefulSet")
      .map((s) => s.metadata.name)
      .sort();
    const policies = ofKind(objs, "NetworkPolicy");
    for (const np of policies) {
      assert.deepEqual(selectedNodes(objs, np.spec.podSelector.matchLabels), nodes, np.metadata.name);
      assert.deepEqual(np.spec.policyTypes, ["Ingress"], "egress stays unrestricted");
    }
    const rules = policies.flatMap((np) => np.spec.ingress ?? []);
    for (const rule of rules) assert.ok(rule.from?.length > 0, "a rule without peers would admit everyone");
    return { objs, rules, byPort: (port: number) => rules.filter((r: any) => r.ports.some((p: any) => p.port === port)) };
  }

  test("P2P only from this chain's node pods and the allowed CIDRs", async () => {
    const v = changed(values, (x) => (x.networkPolicy.p2pAllowedCidrs = ["10.20.0.0/16", "192.168.7.0/24"]));
    const { objs, byPort } = await ingressRules(v);
    const [rule, ...more] = byPort(30300);
    assert.equal(more.length, 0);
    assert.deepEqual(
      rule.ports.map((p: any) => p.port),
      [30300],
    );
    const pods = rule.from.filter((f: any) => f.podSelector);
    assert.equal(pods.length, 1);
    assert.equal(pods[0].namespaceSelector, undefined, "same namespace only");
    assert.deepEqual(
      selectedNodes(objs, pods[0].podSelector.matchLabels),
      values.nodes.map((n) => `fisco-${n.name}`),
    );
    assert.equal(selects(pods[0].podSelector.matchLabels, otherChainPod), false);
    assert.deepEqual(
      rule.from.filter((f: any) => f.ipBlock).map((f: any) => f.ipBlock.cidr),
      ["10.20.0.0/16", "192.168.7.0/24"],
    );
  });

  test("RPC (and web3 when enabled) only from labelled namespaces or labelled pods", async () => {
    for (const web3 of [false, true]) {
      // Helm merges maps into the defaults; null drops the default key.
      const { byPort } = await ingressRules(
        changed(values, (x) => {
          x.web3.enabled = web3;
          x.networkPolicy.clientNamespaceLabels = { "fisco-bcos.io/client": null, tenant: "apps" };
          x.networkPolicy.clientPodLabels = { "fisco-bcos.io/client": null, "app.example/sdk": "yes" };
        }),
      );
      const [rule, ...more] = byPort(20200);
      assert.equal(more.length, 0);
      assert.deepEqual(
        rule.ports.map((p: any) => p.port),
        web3 ? [20200, 8545] : [20200],
      );
      assert.deepEqual(rule.from, [{ namespaceSelector: { matchLabels: { tenant: "apps" } } }, { podSelector: { matchLabels: { "app.example/sdk": "yes" } } }]);
      assert.equal(byPort(8545).length, web3 ? 1 : 0);
    }
  });

  test("client label maps set to null (helm's way to drop a default map) admit nobody to RPC", async () => {
    const v = changed(values, (x) => {
      x.networkPolicy.clientNamespaceLabels = null;
      x.networkPolicy.clientPodLabels = null;
    });
    const { byPort } = await ingressRules(v);
    assert.equal(byPort(20200).length, 0);
    assert.equal(byPort(30300).length, 1);
  });

  /** Values as the component builds them from a stack config (chain/chart-values.ts), not edited by hand. */
  const fromStack = (networkPolicy: Record<string, unknown>) =>
    chartValues(parseChainSpec({ networkPolicy }).spec, {
      configChecksums: Object.fromEntries(["node0", "node1", "node2", "node3"].map((n) => [n, "0".repeat(64)])),
      genesisDigest: "1".repeat(64),
    });

  test("what the stack writes for client labels is what is rendered: {} admits nobody, a map is not ANDed with the default", async () => {
    assert.equal((await ingressRules(fromStack({ clientNamespaceLabels: {} }))).byPort(20200).length, 0);
    const [rule] = (await ingressRules(fromStack({ clientNamespaceLabels: { team: "apps" } }))).byPort(20200);
    assert.deepEqual(rule.from, [{ namespaceSelector: { matchLabels: { team: "apps" } } }, { podSelector: { matchLabels: { team: "apps" } } }]);
    const [byDefault] = (await ingressRules(fromStack({}))).byPort(20200);
    assert.deepEqual(byDefault.from[0], { namespaceSelector: { matchLabels: { "fisco-bcos.io/client": "true" } } });
  });

  test("clientCidrs admit outside clients to RPC as ipBlocks", async () => {
    const [rule] = (await ingressRules(fromStack({ clientNamespaceLabels: {}, clientCidrs: ["203.0.113.0/24"] }))).byPort(20200);
    assert.deepEqual(rule.from, [{ ipBlock: { cidr: "203.0.113.0/24" } }]);
  });

  test("the chart's default client label is the one chain/labels.ts replaces", () => {
    const defaults = load(readFileSync(join(chartDir, "values.yaml"), "utf8")) as any;
    assert.deepEqual(defaults.networkPolicy.clientNamespaceLabels, CHART_DEFAULT_CLIENT_LABELS);
    assert.deepEqual(defaults.networkPolicy.clientPodLabels, CHART_DEFAULT_CLIENT_LABELS);
  });

  test("app.kubernetes.io/version is the FISCO version the nodes run, not the chart's appVersion", async () => {
    const objs = await render(changed(values, (x) => (x.image.tag = "v3.12.1")));
    for (const obj of objs) assert.equal(obj.metadata.labels?.["app.kubernetes.io/version"], "3.12.1", `${obj.kind} ${obj.metadata.name}`);
  });

  test("disruptionBudget.enabled false renders no PodDisruptionBudget", async () => {
    assert.equal(ofKind(await render(changed(values, (x) => (x.disruptionBudget.enabled = false))), "PodDisruptionBudget").length, 0);
  });

  test("disabled renders no NetworkPolicy", async () => {
    const objs = await render(changed(values, (x) => (x.networkPolicy.enabled = false)));
    assert.equal(ofKind(objs, "NetworkPolicy").length, 0);
  });
});

describe("client Services", () => {
  const values = chartValuesFor([1, 1, 1, 1]);

  test("web3 Service only when web3 is enabled", async () => {
    const objs = await render(changed(values, (v) => (v.web3.enabled = true)));
    const web3 = named(objs, "Service", "fisco-web3")!;
    assert.deepEqual(
      web3.spec.ports.map((p: any) => [p.port, p.targetPort]),
      [[8545, "web3"]],
    );
    assert.deepEqual(
      selectedNodes(objs, web3.spec.selector),
      values.nodes.map((n) => `fisco-${n.name}`),
    );
    assert.ok(named(objs, "Service", "fisco-node0")!.spec.ports.some((p: any) => p.port === 8545));
  });

  test("service types and nodePort are honoured", async () => {
    const objs = await render(
      changed(values, (v) => {
        v.web3.enabled = true;
        v.services.rpc = { type: "NodePort", nodePort: 30201 };
        v.services.web3 = { type: "LoadBalancer", nodePort: null };
      }),
    );
    const rpc = named(objs, "Service", "fisco-rpc")!;
    assert.equal(rpc.spec.type, "NodePort");
    assert.equal(rpc.spec.ports[0].nodePort, 30201);
    const web3 = named(objs, "Service", "fisco-web3")!;
    assert.equal(web3.spec.type, "LoadBalancer");
    assert.equal(web3.spec.ports[0].nodePort, undefined);
  });
});

describe("storage may only grow, class may not change (lookup of the live PVC)", () => {
  const values = chartValuesFor([1, 1, 1, 1]);
  const livePvc = (size: string, storageClassName?: string): K8sObject => ({
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { name: "fisco-node2-data", namespace: release.namespace },
    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: size } }, ...(storageClassName ? { storageClassName } : {}) },
  });
  const withNode2Storage = (size: string, storageClassName = "") => changed(values, (v) => (v.nodes[2].storage = { size, storageClassName }));
  const pvc2 = (objs: K8sObject[]) => named(objs, "PersistentVolumeClaim", "fisco-node2-data")!;

  test("shrinking fails with a message naming the node and both sizes", async () => {
    await assert.rejects(render(withNode2Storage("10Gi"), [livePvc("20Gi")]), /nodes\[2\]\.storage\.size may only grow: 20Gi -> 10Gi \(node node2/);
    await assert.rejects(render(withNode2Storage("1000Gi"), [livePvc("1Ti")]), /may only grow: 1Ti -> 1000Gi/);
    await assert.rejects(render(withNode2Storage("20479Mi"), [livePvc("20Gi")]), /may only grow: 20Gi -> 20479Mi/);
  });

  test("equal or larger sizes in any unit render", async () => {
    for (const [live, wanted] of [
      ["20Gi", "20480Mi"],
      ["2048Mi", "2Gi"],
      ["20Gi", "30Gi"],
      ["1Ti", "2Ti"],
      ["900Gi", "1Ti"],
    ]) {
      assert.equal(pvc2(await render(withNode2Storage(wanted), [livePvc(live)])).spec.resources.requests.storage, wanted);
    }
  });

  test("changing the storage class fails", async () => {
    await assert.rejects(
      render(withNode2Storage("20Gi", "slow"), [livePvc("20Gi", "fast")]),
      /nodes\[2\]\.storage\.storageClassName may not change: "fast" -> "slow"/,
    );
  });

  const annotated = (pvc: K8sObject, requested: string): K8sObject => ({
    ...pvc,
    metadata: { ...pvc.metadata, annotations: { "fisco-bcos.io/storage-class": requested } },
  });

  test('class "" never renders the class the cluster filled in, so a second update asks for no replacement', async () => {
    for (const live of [livePvc("20Gi", "standard"), annotated(livePvc("20Gi", "standard"), "")]) {
      const pvc = pvc2(await render(withNode2Storage("20Gi", ""), [live]));
      assert.equal(pvc.spec.storageClassName, undefined);
      assert.equal(pvc.metadata.annotations!["fisco-bcos.io/storage-class"], "");
    }
    assert.equal(pvc2(await render(withNode2Storage("20Gi", "fast"), [annotated(livePvc("20Gi", "fast"), "fast")])).spec.storageClassName, "fast");
  });

  test("the class asked for at creation may not change, to or from the cluster default", async () => {
    await assert.rejects(
      render(withNode2Storage("20Gi", "fast"), [annotated(livePvc("20Gi", "standard"), "")]),
      /storageClassName may not change: "" -> "fast"/,
    );
    await assert.rejects(render(withNode2Storage("20Gi", ""), [annotated(livePvc("20Gi", "fast"), "fast")]), /storageClassName may not change: "fast" -> ""/);
  });

  test("without a live PVC (helm template) any size from 2Gi renders", async () => {
    assert.equal(pvc2(await render(withNode2Storage("2Gi", "fast"))).spec.storageClassName, "fast");
  });

  test("one size rule for stack and chart: the schema's pattern and minimum are chain/storage-size.ts's", async () => {
    const schema = JSON.parse(readFileSync(join(chartDir, "values.schema.json"), "utf8"));
    assert.equal(schema.definitions.node.properties.storage.properties.size.pattern, STORAGE_SIZE_PATTERN);
    await assert.rejects(render(withNode2Storage(`${MIN_STORAGE_MI - 1}Mi`)), /nodes\[2\]\.storage\.size must be at least 2Gi/);
    assert.equal(MIN_STORAGE_MI, 2048);
    for (const size of ["20G", "1.5Gi", "500Ki"]) await assert.rejects(render(withNode2Storage(size)), /storage/);
  });
});

describe("a reinstall never starts a chain on another chain's volume", () => {
  const values = chartValuesFor([1, 1, 1, 1]);
  const liveWith = (digest?: string): K8sObject => ({
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { name: "fisco-node1-data", namespace: release.namespace, annotations: digest ? { "fisco-bcos.io/genesis-digest": digest } : {} },
    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "20Gi" } } },
  });

  test("every data volume records the genesis it holds", async () => {
    for (const pvc of ofKind(await render(values), "PersistentVolumeClaim"))
      assert.equal(pvc.metadata.annotations!["fisco-bcos.io/genesis-digest"], values.genesisDigest);
  });

  test("a live volume of another genesis stops the install, naming the volume and what to do", async () => {
    await assert.rejects(
      render(values, [liveWith("f".repeat(64))]),
      /volume fisco-node1-data of node node1 holds the ledger of another chain \(genesis sha256 ffffffffffff….*restore the stack's state.*delete the PVC/,
    );
  });

  test("the same genesis, or a volume from before the record existed, installs", async () => {
    assert.ok(ofKind(await render(values, [liveWith(values.genesisDigest)]), "StatefulSet").length === 4);
    assert.ok(ofKind(await render(values, [liveWith()]), "StatefulSet").length === 4);
  });
});

describe("output hygiene", () => {
  const roles = ["sealer", "sealer", "sealer", "sealer", "sealer", "observer", "observer"] as const;
  const values = chartValuesFor([1, 1, 1, 1, 1, 1, 1], { roles: [...roles] });

  test("no key material: no PEM blocks, no 64-hex strings besides config checksums and the genesis digest", async () => {
    const text = await helmTemplateText(
      chartDir,
      changed(values, (v) => (v.web3.enabled = true)),
      release,
    );
    assert.ok(!text.includes("-----BEGIN"));
    const checksumLine = /^\s*fisco-bcos\.io\/config-checksum: "([0-9a-f]{64})"$/;
    const checksums = text.split("\n").flatMap((line) => checksumLine.exec(line)?.[1] ?? []);
    assert.deepEqual(checksums.sort(), values.nodes.map((n) => n.configChecksum).sort());
    const genesisLine = /^\s*fisco-bcos\.io\/genesis-digest: "([0-9a-f]{64})"$/;
    assert.ok(
      text
        .split("\n")
        .filter((line) => genesisLine.test(line))
        .every((line) => line.includes(values.genesisDigest)),
    );
    const rest = text
      .split("\n")
      .filter((line) => !checksumLine.test(line) && !genesisLine.test(line))
      .join("\n");
    assert.doesNotMatch(rest, /[0-9a-fA-F]{64}/);
    const kinds = (await render(values)).map((o) => o.kind);
    assert.ok(!kinds.includes("Secret") && !kinds.includes("ConfigMap"), "the chart only references Secrets and ConfigMaps");
  });

  test("rendering the same values twice is byte-identical", async () => {
    const [a, b] = [await helmTemplateText(chartDir, values, release), await helmTemplateText(chartDir, values, release)];
    assert.ok(a.length > 0);
    assert.equal(a, b);
  });
});

describe("values are checked", () => {
  const values = chartValuesFor([1, 1, 1, 1]);
  const rejected: [string, (v: any) => void, RegExp][] = [
    ["role leader", (v) => (v.nodes[1].role = "leader"), /nodes\.1\.role/],
    ["weight 0", (v) => (v.nodes[0].weight = 0), /nodes\.0\.weight/],
    ["fractional weight", (v) => (v.nodes[0].weight = 1.5), /nodes\.0\.weight/],
    ["service type Foo", (v) => (v.services.rpc.type = "Foo"), /services\.rpc\.type/],
    ["nodePort without NodePort", (v) => (v.services.rpc.nodePort = 30201), /services\.rpc\.nodePort/],
    ["nodePort out of range", (v) => (v.services.rpc = { type: "NodePort", nodePort: 8080 }), /services\.rpc\.nodePort/],
    ["unknown top-level key", (v) => (v.chainname = "typo"), /Additional property chainname is not allowed/],
    ["unknown node key", (v) => (v.nodes[0].wieght = 2), /nodes\.0: Additional property wieght is not allowed/],
    ["unknown nested key", (v) => (v.networkPolicy.p2pAllowedCidr = []), /networkPolicy: Additional property p2pAllowedCidr/],
    ["chainName not a DNS label", (v) => (v.chainName = "Fisco_Chain"), /chainName/],
    ["missing chainName", (v) => delete v.chainName, /chainName/],
    ["node name not a DNS label", (v) => (v.nodes[3].name = "Node.3"), /nodes\.3\.name/],
    ["checksum not sha256 hex", (v) => (v.nodes[0].configChecksum = "abc"), /nodes\.0\.configChecksum/],
    ["storage size unit", (v) => (v.nodes[0].storage.size = "20GB"), /nodes\.0\.storage\.size/],
    ["sealerSpread", (v) => (v.scheduling.sealerSpread = "always"), /scheduling\.sealerSpread/],
    ["CIDR", (v) => (v.networkPolicy.p2pAllowedCidrs = ["10.0.0.1"]), /networkPolicy\.p2pAllowedCidrs\.0/],
    ["label value not a string", (v) => (v.networkPolicy.clientPodLabels = { client: true }), /networkPolicy\.clientPodLabels\.client/],
    ["P2P port <= 1024", (v) => (v.ports.p2p = 1024), /ports\.p2p/],
    ["no nodes", (v) => (v.nodes = []), /nodes/],
    ["duplicate node names", (v) => (v.nodes[2].name = "node0"), /nodes\[2\]\.name "node0" is used twice/],
    [
      "a node named like the chart's own Service",
      (v) => (v.nodes[1].name = "headless"),
      /nodes\[1\]\.name "headless" is reserved: the chart's own Services are/,
    ],
    ["no sealer", (v) => v.nodes.forEach((n: any) => (n.role = "observer")), /at least one node must have role sealer/],
    ["object names too long", (v) => ((v.chainName = "c".repeat(30)), (v.nodes[0].name = "n".repeat(30))), /nodes\[0\]\.name: .* longer than 52/],
  ];
  for (const [label, edit, message] of rejected) {
    test(`rejects ${label}`, async () => {
      await assert.rejects(render(changed(values, edit)), message);
    });
  }

  test("the example values (pulumi stack output chartValues) lint clean and render", async () => {
    const example = load(readFileSync(resolve(chartDir, "examples", "values-example.yaml"), "utf8"));
    await helmLint(chartDir, example);
    assert.equal(ofKind(await render(example), "StatefulSet").length, 4);
  });
});

describe("live peer reload", () => {
  const values = chartValuesFor([1, 1, 1, 1]);

  test("an init container links /data/nodes.json into the ConfigMap directory; a sidecar sends SIGUSR1 on change", async () => {
    for (const sts of ofKind(await render(values), "StatefulSet")) {
      const pod = sts.spec.template.spec;
      assert.equal(pod.shareProcessNamespace, true, "the sidecar must see fisco-bcos to signal it");
      const [init] = pod.initContainers;
      assert.match(init.command.join(" "), /ln -sf peers\/nodes\.json \/data\/nodes\.json/);
      assert.deepEqual(
        init.volumeMounts.map((m: any) => [m.name, m.mountPath]),
        [["workdir", "/data"]],
      );
      const sidecar = pod.containers.find((c: any) => c.name === "peer-reload");
      assert.ok(sidecar);
      const script = sidecar.args.join("\n");
      assert.match(script, /md5sum "\$peers"/);
      assert.deepEqual(
        sidecar.env.find((e: any) => e.name === "PEERS_FILE"),
        { name: "PEERS_FILE", value: "/peers/nodes.json" },
      );
      assert.doesNotMatch(script, /pkill|pgrep|pidof/, "busybox pkill matches argv[0], a full path in the image");
      assert.deepEqual(sidecar.volumeMounts, [{ name: "config", mountPath: "/peers", readOnly: true }]);
      assert.equal(sidecar.image, `${values.peerReload.image.repository}:${values.peerReload.image.tag}`);
      for (const c of [init, ...pod.containers]) {
        assert.deepEqual(c.securityContext.capabilities.drop, ["ALL"], c.name);
        assert.equal(c.securityContext.allowPrivilegeEscalation, false, c.name);
      }
      assert.equal(sts.spec.template.metadata.annotations["kubectl.kubernetes.io/default-container"], "fisco-bcos");
    }
  });

  test("the real sidecar script signals a node started by its full path, in a PID namespace like the pod's, only after nodes.json changes", async (t) => {
    if (process.getuid?.() !== 0 || spawnSync("unshare", ["--pid", "--fork", "--mount-proc", "true"]).status !== 0) {
      t.skip("needs root and unshare(1) for a PID namespace");
      return;
    }
    const sts = ofKind(await render(values), "StatefulSet")[0];
    const script: string = sts.spec.template.spec.containers.find((c: any) => c.name === "peer-reload").args[0];
    const dir = mkdtempSync(join(tmpdir(), "peer-reload-"));
    // The node: an executable named fisco-bcos at a full path, as the image's entrypoint (/usr/local/bin/fisco-bcos).
    // It is a copy of sleep, so SIGUSR1 ends it, which shows that the signal arrived.
    const bin = join(dir, "usr", "local", "bin");
    mkdirSync(bin, { recursive: true });
    const whichTool = (tool: string) => spawnSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" }).stdout.trim();
    copyFileSync(whichTool("sleep"), join(bin, "fisco-bcos"));
    chmodSync(join(bin, "fisco-bcos"), 0o755);
    // Only the tools the busybox image has that the script may use besides shell built-ins: no pkill, pgrep or pidof.
    const tools = join(dir, "tools");
    mkdirSync(tools);
    for (const tool of ["md5sum", "cut", "sleep"]) symlinkSync(whichTool(tool), join(tools, tool));
    const peers = join(dir, "nodes.json");
    writeFileSync(peers, '{"nodes":["a:30300"]}');
    const harness = [
      `"${join(bin, "fisco-bcos")}" 20 & node=$!`,
      `PATH="${tools}" PEERS_FILE="${peers}" INTERVAL_SECONDS=1 "${whichTool("sh")}" -c "$SCRIPT" & reload=$!`,
      "sleep 2.5",
      'kill -0 "$node" 2>/dev/null && echo "alive-before-change"',
      `echo '{"nodes":["a:30300","b:30300"]}' > "${peers}"`,
      'wait "$node"; echo "node-exit=$?"',
      'kill "$reload"',
    ].join("\n");
    const run = spawnSync("unshare", ["--pid", "--fork", "--mount-proc", "sh", "-c", harness], {
      encoding: "utf8",
      env: { ...process.env, SCRIPT: script },
      timeout: 30_000,
    });
    assert.match(run.stdout, /alive-before-change/, `no change, no signal\n${run.stdout}${run.stderr}`);
    assert.match(run.stdout, /node-exit=138/, `SIGUSR1 (10) must end the stand-in node: exit 128+10\n${run.stdout}${run.stderr}`);
    assert.match(run.stdout, /nodes\.json changed: sent SIGUSR1 to fisco-bcos/);
  });
});

describe("verification Job", () => {
  const ids = ["a", "b", "c", "d"].map((c) => c.repeat(128));
  const withVerification = (hook: boolean, runId = "0123456789abcdef0123") =>
    changed(chartValuesFor([1, 1, 1, 1]), (v) => {
      v.verification = {
        enabled: true,
        hook,
        runId,
        bundleConfigMap: "fisco-verifier-bundle",
        sdkSecretName: "fisco-sdk",
        expectNodeIds: ids,
        timeoutSeconds: 200,
        probeTransaction: true,
      };
    });
  const jobOf = (objs: K8sObject[]) => {
    const jobs = ofKind(objs, "Job");
    assert.equal(jobs.length, 1);
    return jobs[0];
  };

  test("off by default: no Job, no ServiceAccount", async () => {
    const objs = await render(chartValuesFor([1, 1, 1, 1]));
    assert.equal(ofKind(objs, "Job").length + ofKind(objs, "ServiceAccount").length, 0);
  });

  test("as a Helm hook for Helm, Argo CD and Flux: post-install and post-upgrade", async () => {
    const job = jobOf(await render(withVerification(true)));
    assert.equal(job.metadata.annotations!["helm.sh/hook"], "post-install,post-upgrade");
    assert.equal(
      job.metadata.annotations!["helm.sh/hook-delete-policy"],
      "before-hook-creation,hook-succeeded",
      "finished runs do not pile up; failed ones stay",
    );
    assert.equal(job.metadata.annotations!["config.kubernetes.io/depends-on"], undefined);
    validateWithKubernetesModels(job);
  });

  test("for Pulumi (Chart v4 skips hooks): a plain Job ordered after every node StatefulSet", async () => {
    const objs = await render(withVerification(false));
    const job = jobOf(objs);
    assert.equal(job.metadata.annotations!["helm.sh/hook"], undefined);
    assert.ok(Number(job.metadata.annotations!["pulumi.com/timeoutSeconds"]) > job.spec.activeDeadlineSeconds, "Pulumi waits as long as the Job may run");
    const refs = job.metadata.annotations!["config.kubernetes.io/depends-on"].split(",");
    assert.deepEqual(
      refs,
      ofKind(objs, "StatefulSet").map((s) => `apps/namespaces/${release.namespace}/StatefulSet/${s.metadata.name}`),
    );
  });

  test("the Job name carries the run id, so a changed chain gets a new Job", async () => {
    const a = jobOf(await render(withVerification(false, "aaaaaaaaaa11"))).metadata.name;
    const b = jobOf(await render(withVerification(false, "bbbbbbbbbb22"))).metadata.name;
    assert.equal(a, "fisco-verify-aaaaaaaaaa");
    assert.notEqual(a, b);
  });

  test("runs the bundled verifier with the SDK Secret, as a labelled RPC client, unprivileged", async () => {
    const objs = await render(withVerification(false));
    const job = jobOf(objs);
    const pod = job.spec.template;
    const [c] = pod.spec.containers;
    assert.deepEqual(c.command, ["node", "/verifier/verifier.js"]);
    assert.ok(c.args.includes("--sdk-dir=/sdk"));
    assert.ok(c.args.includes(`--expect-node-ids=${ids.join(",")}`));
    assert.ok(c.args.includes("--timeout=200"));
    assert.ok(c.args.includes("--report-configmap=fisco-verification"));
    const volumes = Object.fromEntries(pod.spec.volumes.map((v: any) => [v.name, v]));
    assert.equal(volumes.verifier.configMap.name, "fisco-verifier-bundle");
    assert.equal(volumes.sdk.secret.secretName, "fisco-sdk");
    assert.equal(pod.spec.securityContext.runAsNonRoot, true);
    assert.deepEqual(c.securityContext.capabilities.drop, ["ALL"]);
    assert.equal(c.securityContext.readOnlyRootFilesystem, true);
    const clients = named(objs, "NetworkPolicy", "fisco-clients")!;
    const podRule = clients.spec.ingress.flatMap((r: any) => r.from).find((f: any) => f.podSelector && !f.namespaceSelector);
    assert.ok(selects(podRule.podSelector.matchLabels, pod.metadata.labels), "the NetworkPolicy admits the verifier");
    assert.ok(job.spec.activeDeadlineSeconds > 200);
  });

  test("its ServiceAccount may write only the report ConfigMap", async () => {
    const objs = await render(withVerification(false));
    const role = named(objs, "Role", "fisco-verifier")!;
    assert.deepEqual(role.rules[0], { apiGroups: [""], resources: ["configmaps"], resourceNames: ["fisco-verification"], verbs: ["get", "update"] });
    assert.deepEqual(role.rules[1].verbs, ["create"]);
    assert.equal(named(objs, "RoleBinding", "fisco-verifier")!.subjects[0].name, "fisco-verifier");
  });

  test("enabled without a run id, bundle or SDK Secret is rejected", async () => {
    await assert.rejects(render(changed(withVerification(false), (v) => (v.verification.runId = ""))), /runId/);
    await assert.rejects(render(changed(withVerification(false), (v) => (v.verification.bundleConfigMap = ""))), /bundleConfigMap/);
  });
});
