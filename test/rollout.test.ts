import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { faultTolerance, maxSealersDown } from "../chain/consensus";
import { rolloutWaves } from "../chain/rollout";
import { CHART_DIR } from "../components/node-chart";
import { chartValuesFor } from "./fixtures/chart-values";
import { helmTemplate } from "./support/helm";

const sealers = (...weights: number[]) => weights.map((weight, i) => ({ name: `node${i}`, role: "sealer" as const, weight }));

describe("restarts roll through the sealers without losing quorum", () => {
  test("no wave holds more sealer weight than the chain can lose, and every sealer is in one wave", () => {
    for (const weights of [[1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1], [3, 1, 1, 1], [2, 2, 1, 1, 1, 1, 1], Array(10).fill(1), [1], [1, 1, 1]]) {
      const nodes = sealers(...weights);
      const waves = rolloutWaves(nodes);
      const f = faultTolerance(nodes);
      const byWave = new Map<number, number[]>();
      for (const n of nodes) byWave.set(waves[n.name], [...(byWave.get(waves[n.name]) ?? []), n.weight]);
      for (const [wave, inWave] of byWave) {
        if (f > 0) assert.ok(inWave.reduce((a, b) => a + b, 0) <= f || inWave.length === 1, `weights ${weights}: wave ${wave} holds ${inWave}`);
        assert.ok(inWave.length <= Math.max(1, maxSealersDown(nodes)), `weights ${weights}: wave ${wave} has ${inWave.length} sealers`);
      }
      assert.deepEqual(
        [...byWave.keys()].sort((a, b) => a - b),
        [...Array(byWave.size).keys()],
        "waves are 0, 1, 2, … without gaps",
      );
    }
  });

  test("observers restart in the first wave: they hold no vote", () => {
    assert.deepEqual(rolloutWaves([...sealers(1, 1, 1, 1), { name: "obs", role: "observer", weight: 1 }]), { node0: 0, node1: 1, node2: 2, node3: 3, obs: 0 });
  });

  test("the chart applies each wave after the previous one is ready (Chart v4 depends-on) and marks Argo CD sync waves", async () => {
    const values = chartValuesFor([1, 1, 1, 1, 1, 1, 1]);
    const objs = await helmTemplate(CHART_DIR, values, { namespace: "fisco", releaseName: "fisco" });
    const sts = (node: string) => objs.find((o) => o.kind === "StatefulSet" && o.metadata.name === `fisco-${node}`)!.metadata.annotations!;
    const ref = (node: string) => `apps/namespaces/fisco/StatefulSet/fisco-${node}`;
    assert.equal(sts("node0")["config.kubernetes.io/depends-on"], undefined);
    assert.equal(sts("node1")["config.kubernetes.io/depends-on"], undefined, "f = 2: node0 and node1 may restart together");
    assert.equal(sts("node2")["config.kubernetes.io/depends-on"], [ref("node0"), ref("node1")].join(","));
    assert.equal(sts("node6")["config.kubernetes.io/depends-on"], [ref("node4"), ref("node5")].join(","));
    assert.deepEqual(
      ["node0", "node2", "node4", "node6"].map((n) => sts(n)["argocd.argoproj.io/sync-wave"]),
      ["0", "1", "2", "3"],
    );
    // A WaitForFirstConsumer claim binds only once its pod exists: in an earlier wave it would hold Argo CD forever.
    for (const node of ["node0", "node2", "node4", "node6"]) {
      const pvc = objs.find((o) => o.kind === "PersistentVolumeClaim" && o.metadata.name === `fisco-${node}-data`)!;
      assert.equal(pvc.metadata.annotations!["argocd.argoproj.io/sync-wave"], sts(node)["argocd.argoproj.io/sync-wave"], `${node}'s claim is in its wave`);
    }
  });

  test("Pulumi awaits each StatefulSet until its new spec runs and is Ready, whatever the provider's own StatefulSet await does", async () => {
    // pulumi-kubernetes v4.25.0 (the version package.json requests) ends its built-in StatefulSet await on the status
    // of the previous spec (fixed upstream in v4.26.0, #4094): on the real engine all four sealers then restarted in
    // the same second. A `pulumi.com/waitFor` replaces that await; its JSONPath conditions wait for the controller
    // to observe the new generation first. replicas is 1, so "1 updated and 1 ready" is "the new pod is Ready".
    const objs = await helmTemplate(CHART_DIR, chartValuesFor([1, 1, 1, 1]), { namespace: "fisco", releaseName: "fisco" });
    const statefulSets = objs.filter((o) => o.kind === "StatefulSet");
    assert.equal(statefulSets.length, 4);
    for (const sts of statefulSets) {
      assert.equal(sts.spec.replicas, 1);
      assert.deepEqual(
        JSON.parse(sts.metadata.annotations!["pulumi.com/waitFor"]),
        ["jsonpath={.status.updatedReplicas}=1", "jsonpath={.status.readyReplicas}=1"],
        sts.metadata.name,
      );
    }
  });
});
