import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { parseReport } from "../components/verification-report";
import type { ProviderState } from "../offline/mocks/engine";
import type { OfflineRun } from "../offline/mocks/run-program";
import { k8sObject, runChain } from "./support/offline-chain";

const job = (run: OfflineRun) => run.engine.kubernetesObjects().find((r) => r.inputs.kind === "Job")?.inputs;

describe("the in-cluster verification, as the component wires it", () => {
  let run: OfflineRun;
  before(async () => {
    run = await runChain();
  });

  test("the verifier bundle ConfigMap holds one file that runs with plain node, no node_modules", () => {
    const bundle = k8sObject(run, "ConfigMap", "fisco-verifier-bundle").data["verifier.js"] as string;
    assert.ok(Buffer.byteLength(bundle) < 1024 * 1024, "fits in a ConfigMap");
    const dir = mkdtempSync(join(tmpdir(), "bundle-"));
    writeFileSync(join(dir, "verifier.js"), bundle);
    const help = spawnSync(process.execPath, [join(dir, "verifier.js"), "--help"], { cwd: dir, encoding: "utf8", env: { PATH: process.env.PATH } });
    assert.match(help.stdout + help.stderr, /--sdk-dir/);
    const bad = spawnSync(process.execPath, [join(dir, "verifier.js"), "--timeout", "nope"], { cwd: dir, encoding: "utf8", env: { PATH: process.env.PATH } });
    assert.equal(bad.status, 2, bad.stderr);
  });

  test("the chart's Job expects exactly the genesis sealers and mounts the SDK Secret", () => {
    const spec = job(run)!.spec.template.spec;
    const args: string[] = spec.containers[0].args;
    const ids = args
      .find((a) => a.startsWith("--expect-node-ids="))!
      .split("=")[1]
      .split(",");
    assert.deepEqual(ids, Object.values(run.outputs.nodeIds));
    assert.equal(spec.volumes.find((v: any) => v.name === "sdk").secret.secretName, run.outputs.sdkSecretName);
  });

  test("offline there is no Job run, and the stack output says so", () => {
    assert.match(JSON.stringify(run.outputs.verification), /no report/);
  });

  test("no hook unless verification.hostRpcEndpoints is set", () => {
    assert.deepEqual(run.engine.hooks, []);
  });
});

describe("run ids", () => {
  test("the same chain keeps its Job; a changed chain gets a new one", async () => {
    const state: ProviderState = new Map();
    const first = job(await runChain({}, state))!.metadata.name;
    assert.equal(job(await runChain({}, state))!.metadata.name, first);
    assert.notEqual(job(await runChain({ log: { level: "debug" } }, state))!.metadata.name, first);
  });

  test("verification.enabled: false removes the Job and the bundle", async () => {
    const off = await runChain({ verification: { enabled: false } });
    assert.equal(job(off), undefined);
    assert.throws(() => k8sObject(off, "ConfigMap", "fisco-verifier-bundle"));
    assert.deepEqual(off.outputs.verification, { status: "disabled" });
  });
});

describe("host verification hook (verification.hostRpcEndpoints)", () => {
  test("a ResourceHook runs after create and update of a marker that changes with the run id", async () => {
    const run = await runChain({ verification: { hostRpcEndpoints: ["https://127.0.0.1:20200"] } });
    assert.deepEqual(run.engine.hooks, ["fisco-host-verification-verify"]);
    const marker = run.engine.resources.find((r) => r.type === "kubernetes:core/v1:ConfigMap" && r.name === "fisco-host-verification")!;
    assert.deepEqual(marker.options?.hooks, { afterCreateList: ["fisco-host-verification-verify"], afterUpdateList: ["fisco-host-verification-verify"] });
    assert.equal(marker.inputs.data.runId, run.outputs.chartValues.verification.runId);
  });
});

test("report parsing", () => {
  assert.deepEqual(parseReport('{"ok":true}'), { ok: true });
  assert.match(JSON.stringify(parseReport(undefined)), /no report/);
  assert.match(JSON.stringify(parseReport("{")), /unreadable/);
});
