import assert from "node:assert/strict";
import { test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { pulumiConfigFromStackFile } from "../chain/stack-config";
import { OfflineEngine, type ProviderState } from "../offline/mocks/engine";
import { runProgramOffline } from "../offline/mocks/run-program";
import { CHART_V4 } from "../offline/providers/chart-v4";

const UNKNOWN = pulumi.runtime.unknownValue;
const nodes = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `node${i}` }));
const config = (n: number) => pulumiConfigFromStackFile({ "fisco-bcos:nodes": nodes(n) });

/**
 * A preview's engine: what the update makes for `fresh` nodes (keys, certificates, seeds) is unknown, every output
 * of those resources (named as `outputsOf` a type says) answered as unknown, as the real engine does in a preview.
 */
class PreviewEngine extends OfflineEngine {
  constructor(
    state: ProviderState,
    private readonly fresh: RegExp,
    private readonly outputsOf: ReadonlyMap<string, readonly string[]>,
  ) {
    super(state);
  }

  override async newResource(args: pulumi.runtime.MockResourceArgs): Promise<{ id: string; state: Record<string, any> }> {
    if (!/^(tls|random):/.test(args.type) || !this.fresh.test(args.name)) return super.newResource(args);
    return { id: "", state: Object.fromEntries((this.outputsOf.get(args.type) ?? []).map((k) => [k, UNKNOWN])) };
  }
}

test("previewing an added node: the chart's values stay known, so Chart v4 renders and plans no deletes (e2e finding 2)", async () => {
  // On the real engine, the new node's unknown keys reached every value of the chart; Chart v4 then rendered nothing
  // and the preview listed every StatefulSet, PVC and Service as deleted (under protect: true the preview failed).
  const state: ProviderState = new Map();
  const before = await runProgramOffline({ stack: "test", config: config(4), providerState: state });
  const chartBefore = before.engine.resources.find((r) => r.type === CHART_V4)!;

  const outputsOf = new Map(before.engine.resources.map((r) => [r.type, Object.keys(r.state)]));
  const preview = await runProgramOffline({ stack: "test", config: config(5), preview: true, engine: new PreviewEngine(state, /node4/, outputsOf) });
  const chart = preview.engine.resources.find((r) => r.type === CHART_V4)!;
  assert.ok(chart, "the chart is registered");
  assert.equal(JSON.stringify(chart.inputs.values).includes(UNKNOWN), false, "no unknown value reaches the chart");

  const byNode = (values: any) => Object.fromEntries(values.nodes.map((n: any) => [n.name, n]));
  const was = byNode(chartBefore.inputs.values);
  const now = byNode(chart.inputs.values);
  for (const n of ["node0", "node1", "node2", "node3"]) assert.equal(now[n].configChecksum, was[n].configChecksum, `${n}: the preview restarts nothing`);
  assert.equal(now.node4.servesClients, false, "the new node is not a member of the recorded genesis");
  assert.equal(chart.inputs.values.genesisDigest, chartBefore.inputs.values.genesisDigest);
});

test("outside a preview nothing is stood in: the update computes every value", async () => {
  const state: ProviderState = new Map();
  await runProgramOffline({ stack: "test", config: config(4), providerState: state });
  const update = await runProgramOffline({ stack: "test", config: config(5), providerState: state });
  const values = update.engine.resources.find((r) => r.type === CHART_V4)!.inputs.values;
  assert.doesNotMatch(JSON.stringify(values), /made by the update/);
  assert.match(values.nodes.find((n: any) => n.name === "node4").configChecksum, /^[0-9a-f]{64}$/);
});
