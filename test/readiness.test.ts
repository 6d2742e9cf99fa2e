import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { SyncStatus } from "../fisco/native-api";
import { runReadinessAgent } from "../readiness/agent";
import { judgeReadiness } from "../readiness/judge";
import { CHART_DIR } from "../components/node-chart";
import { chainFixture, type ChainFixture } from "../doubles/chain-fixture";
import { FiscoRpcDouble } from "../doubles/fisco-rpc-double";
import { helmTemplate } from "./support/helm";
import { runChain } from "./support/offline-chain";

const sync = (blockNumber: number, knownHighestNumber: number, peers: number): SyncStatus => ({
  nodeId: "a".repeat(128),
  genesisHash: "0".repeat(64),
  blockNumber,
  latestHash: "1".repeat(64),
  knownHighestNumber,
  isSyncing: blockNumber < knownHighestNumber,
  peers: Array.from({ length: peers }, (_, i) => ({ nodeId: String(i).repeat(128), genesisHash: "0".repeat(64), blockNumber: knownHighestNumber })) as any,
});

describe("readiness that means service: connected and within the sync bound", () => {
  test("the verdict", () => {
    assert.equal(judgeReadiness(sync(100, 100, 3)).ready, true);
    assert.equal(judgeReadiness(sync(90, 100, 3)).ready, true, "10 behind is within the bound");
    assert.match(judgeReadiness(sync(89, 100, 3)).reason, /11 blocks behind \(bound 10\)/);
    assert.match(judgeReadiness(sync(100, 100, 0)).reason, /connected to no peer/);
    assert.equal(judgeReadiness(sync(0, 0, 0)).ready, true, "a fresh chain at genesis needs no peer: its peers start after it");
    assert.equal(judgeReadiness(sync(5, 3, 1), 0).ready, true, "a node ahead of what it heard is not behind");
  });

  let fixture: ChainFixture;
  let double: FiscoRpcDouble;
  let conf: string;
  before(async () => {
    fixture = await chainFixture(4);
    double = await FiscoRpcDouble.start({ ca: fixture.ca, nodes: fixture.nodes, initialHeight: 30, sealTimeMs: 20, syncDelayMs: 15 });
    conf = mkdtempSync(join(tmpdir(), "readiness-conf-"));
    const node0 = fixture.nodes[0];
    writeFileSync(join(conf, "ca.crt"), fixture.ca);
    writeFileSync(join(conf, "ssl.crt"), node0.cert);
    writeFileSync(join(conf, "ssl.key"), node0.key);
  });
  after(() => double?.close());

  const agentRun = async (readyFile: string) => {
    const lines: string[] = [];
    await runReadinessAgent({
      rpcUrl: double.url("node0"),
      confDir: conf,
      group: double.groupId,
      readyFile,
      maxLag: 10,
      intervalMs: 50,
      checks: 2,
      log: (l) => lines.push(l),
    });
    return lines;
  };

  test("the agent keeps the file while the node serves, with the node's own TLS identity, and removes it when it does not", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "ready-")), "serving");
    assert.match((await agentRun(file))[0], /^ready: at block 30 of 30, 3 peers$/);
    assert.ok(existsSync(file));
    double.lag("node0", 15);
    assert.match((await agentRun(file))[0], /not ready: .*15 blocks behind/);
    assert.ok(!existsSync(file));
    double.lag("node0", 0);
    for (const peer of ["node1", "node2", "node3"]) double.hidePeer("node0", peer);
    assert.match((await agentRun(file))[0], /not ready: .*connected to no peer/);
    await double.down("node0");
    assert.match((await agentRun(file))[0], /not ready: RPC does not answer/);
    assert.ok(!existsSync(file));
  });
});

describe("the chart's node-readiness container and probe", () => {
  test("the node's readiness probe tests the agent's file; the agent runs beside it with the node's keys, not the CA's", async () => {
    const values = (await runChain()).outputs.chartValues;
    assert.equal(values.readiness.enabled, true);
    const objs = await helmTemplate(CHART_DIR, values, { namespace: "fisco", releaseName: "fisco" });
    const pod = objs.find((o) => o.kind === "StatefulSet" && o.metadata.name === "fisco-node0")!.spec.template.spec;
    const node = pod.containers.find((c: any) => c.name === "fisco-bcos");
    const agent = pod.containers.find((c: any) => c.name === "node-readiness");
    assert.deepEqual(node.readinessProbe.exec.command.slice(0, 2), ["sh", "-c"]);
    assert.ok(agent.command.includes("--ready-file=/ready/serving") && agent.command.includes("--rpc-url=https://127.0.0.1:20200"));
    assert.deepEqual(agent.volumeMounts.map((m: any) => m.name).sort(), ["keys", "readiness-bundle", "ready"]);
    assert.equal(pod.volumes.find((v: any) => v.name === "readiness-bundle").configMap.name, "fisco-readiness-bundle");

    // The probe command itself, run by a real shell against a file: fresh → ready, stale or absent → not.
    const dir = mkdtempSync(join(tmpdir(), "probe-"));
    const command = node.readinessProbe.exec.command[2].replaceAll("/ready/serving", join(dir, "serving"));
    const probe = () => spawnSync("sh", ["-c", command]).status;
    assert.equal(probe(), 1, "no file: not ready");
    writeFileSync(join(dir, "serving"), "now\n");
    assert.equal(probe(), 0);
    utimesSync(join(dir, "serving"), new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    assert.equal(probe(), 1, "a file the agent stopped refreshing: not ready");
  });

  test("readiness.enabled false keeps the TCP check and no agent", async () => {
    const values = (await runChain({ readiness: { enabled: false } })).outputs.chartValues;
    const objs = await helmTemplate(CHART_DIR, values, { namespace: "fisco", releaseName: "fisco" });
    const pod = objs.find((o) => o.kind === "StatefulSet")!.spec.template.spec;
    assert.ok(pod.containers.find((c: any) => c.name === "fisco-bcos").readinessProbe.tcpSocket);
    assert.ok(!pod.containers.some((c: any) => c.name === "node-readiness"));
  });
});
