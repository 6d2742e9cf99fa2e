import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { genesisMemberNames } from "../chain/membership";
import { parseIni } from "../chain/ini";
import { CHART_DIR } from "../components/node-chart";
import { helmTemplate } from "./support/helm";
import { k8sObject, runChain } from "./support/offline-chain";

/** Staging's shape: four genesis sealers and an observer that is in no genesis and not (yet) added on chain. */
const STAGING_NODES = [{ name: "node0" }, { name: "node1" }, { name: "node2" }, { name: "node3" }, { name: "observer0", role: "observer" }];

describe("nodes outside the genesis: they sync, but do not serve clients until they are members", () => {
  test("members are the nodes whose ids the recorded genesis lists as sealers", () => {
    const ids = { a: "a".repeat(128), b: "b".repeat(128), c: "c".repeat(128) };
    const genesis = `[consensus]\n    node.0=${ids.a}: 1\n    node.1=${ids.b.toUpperCase()}: 2\n`;
    assert.deepEqual(genesisMemberNames([{ name: "a" }, { name: "b" }, { name: "c" }], genesis, ids), ["a", "b"]);
  });

  test("every node's config.ini lets free nodes sync ([sync] allow_free_node)", async () => {
    const run = await runChain({ nodes: STAGING_NODES });
    for (const node of ["node0", "observer0"]) {
      const ini = parseIni(k8sObject(run, "ConfigMap", `fisco-${node}-config`).data["config.ini"]);
      assert.equal(ini.get("sync")!.get("allow_free_node"), "true", node);
    }
  });

  test("the SDK configs send clients to members only, and endpoints.json lists the others apart", async () => {
    const run = await runChain({ nodes: STAGING_NODES });
    const sdk = k8sObject(run, "Secret", "fisco-sdk").stringData;
    const endpoints = JSON.parse(sdk["endpoints.json"]);
    assert.deepEqual(Object.keys(endpoints.rpc.nodes), ["node0", "node1", "node2", "node3"]);
    assert.deepEqual(Object.keys(endpoints.rpc.nonMembers), ["observer0"]);
    assert.deepEqual(run.outputs.endpoints, endpoints);
    assert.doesNotMatch(sdk["config.toml"], /observer0/);
    assert.doesNotMatch(sdk["config.ini"], /observer0/);
  });

  test("the client Services select members only; every node keeps its own Service for peers", async () => {
    const run = await runChain({ nodes: STAGING_NODES, web3: { enabled: true } });
    const values = run.outputs.chartValues;
    assert.deepEqual(
      values.nodes.map((n: any) => [n.name, n.servesClients]),
      [
        ["node0", true],
        ["node1", true],
        ["node2", true],
        ["node3", true],
        ["observer0", false],
      ],
    );
    const objs = await helmTemplate(CHART_DIR, values, { namespace: "fisco", releaseName: "fisco" });
    const pods = objs.filter((o) => o.kind === "StatefulSet").map((s) => [s.metadata.name, s.spec.template.metadata.labels] as const);
    for (const name of ["fisco-rpc", "fisco-web3"]) {
      const selector = objs.find((o) => o.kind === "Service" && o.metadata.name === name)!.spec.selector as Record<string, string>;
      const selected = pods.filter(([, labels]) => Object.entries(selector).every(([k, v]) => labels[k] === v)).map(([n]) => n);
      assert.deepEqual(selected, ["fisco-node0", "fisco-node1", "fisco-node2", "fisco-node3"], name);
    }
    assert.ok(objs.some((o) => o.kind === "Service" && o.metadata.name === "fisco-observer0"));
  });

  test("a sealer added to the stack after the genesis is not a member either (it is added on chain later)", async () => {
    const state = new Map();
    const four = [{ name: "node0" }, { name: "node1" }, { name: "node2" }, { name: "node3" }];
    await runChain({ nodes: four }, state);
    const grown = await runChain({ nodes: [...four, { name: "node4" }] }, state);
    assert.deepEqual(Object.keys(grown.outputs.endpoints.rpc.nonMembers), ["node4"]);
    assert.equal(grown.outputs.chartValues.nodes[4].servesClients, false);
  });
});
