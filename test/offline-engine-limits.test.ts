import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CHART_V4 } from "../offline/providers/chart-v4";
import { runChain } from "./support/offline-chain";

/**
 * Where the offline engine (offline/mocks, what `npm run synth` and the unit tests run) knowingly differs from the real
 * Pulumi engine and Kubernetes provider, as `npm run e2e` measured them (docs/e2e.md). Each test pins one difference:
 * if the offline engine starts to model it, the test fails and the e2e's list of known limits
 * (e2e/scenarios/main.ts KNOWN_OFFLINE_LIMITS) should lose that entry.
 */
describe("known limits of the offline engine (measured against the real engine by npm run e2e)", () => {
  test("Chart v4 children carry no resource options offline; the real engine applies NodeChart's transforms to them", async () => {
    // Real engine: the PVCs of the chart are retainOnDelete (and protect under protect: true) through keepVolumes,
    // which the engine calls back into the program for each child the provider registers. The mock monitor makes no
    // callbacks, so offline the children are registered without options (keepVolumes has its own unit test).
    const run = await runChain({ protect: true, kubernetes: { context: "prod" } });
    const children = run.engine.resources.filter((r) => r.name.startsWith("fisco-workloads:"));
    const pvcs = children.filter((r) => r.type === "kubernetes:core/v1:PersistentVolumeClaim");
    assert.equal(pvcs.length, 4);
    for (const r of children) assert.equal(r.options, undefined, r.name);
  });

  test("Secrets keep stringData as the program sent it; the real provider stores it as base64 data", async () => {
    const run = await runChain();
    const secrets = run.engine.kubernetesObjects().filter((r) => r.inputs.kind === "Secret");
    assert.ok(secrets.length >= 5);
    for (const s of secrets) {
      assert.equal(typeof s.inputs.stringData, "object", s.name);
      assert.equal(s.inputs.data, undefined, s.name);
    }
  });

  test("the offline engine runs the program as an update, never as a preview: the chart is rendered even when new keys are made in the same run", async () => {
    // Real engine: during a preview, keys the update has yet to make are unknown, and Chart v4 renders nothing when
    // one of its values is (the plan then lists every chart object as deleted, pulumi/pulumi-kubernetes#3699), so the
    // program gives the chart stand-ins for them in a preview (components/preview-stand-in.ts; e2e finding 2,
    // test/preview-stand-ins.test.ts). Offline there is no preview: every value is known.
    const run = await runChain({ nodes: [{ name: "node0" }, { name: "node1" }, { name: "node2" }, { name: "node3" }, { name: "node4" }] });
    assert.ok(run.engine.resources.some((r) => r.type === CHART_V4));
    const statefulSets = run.engine.resources.filter((r) => r.type === "kubernetes:apps/v1:StatefulSet" && r.name.startsWith("fisco-workloads:"));
    assert.equal(statefulSets.length, 5);
  });
});
