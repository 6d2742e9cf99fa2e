import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import type { ProviderState } from "../offline/mocks/engine";
import { OfflineEngine } from "../offline/mocks/engine";
import { fiscoBcosProgram } from "../program";
import { runChain } from "./support/offline-chain";

const byResource = (run: Awaited<ReturnType<typeof runChain>>) => new Map(run.engine.resources.map((r) => [`${r.type}::${r.name}`, r.inputs]));

describe("a second run on the same key material", () => {
  test("registers identical inputs for every resource (nothing to update)", async () => {
    const state: ProviderState = new Map();
    const first = byResource(await runChain({}, state));
    const second = byResource(await runChain({}, state));
    assert.deepEqual([...second.keys()].sort(), [...first.keys()].sort());
    for (const [key, inputs] of first) assert.deepEqual(second.get(key), inputs, key);
    assert.ok(first.size > 40);
  });

  test("an unrelated setting changes no identity: keys, CA and genesis stay", async () => {
    const state: ProviderState = new Map();
    const before = await runChain({}, state);
    const after = await runChain({ log: { level: "debug" }, consensus: { minSealTime: 900 }, nodeDefaults: { storage: { size: "50Gi" } } }, state);
    assert.deepEqual(after.outputs.nodeIds, before.outputs.nodeIds);
    assert.equal(after.outputs.caCertificate, before.outputs.caCertificate);
    assert.equal(after.outputs.adminAddress, before.outputs.adminAddress);
    assert.equal(after.outputs.genesisDigest, before.outputs.genesisDigest);
  });

  test("fresh key material gives fresh identities (the test above is not vacuous)", async () => {
    const a = await runChain();
    const b = await runChain();
    assert.notDeepEqual(a.outputs.nodeIds, b.outputs.nodeIds);
    assert.notEqual(a.outputs.caCertificate, b.outputs.caCertificate);
  });
});

describe("stack outputs", () => {
  test("private material is exported only as secrets", async () => {
    await pulumi.runtime.setMocks(new OfflineEngine(), "fisco-bcos", "test", false, "organization");
    pulumi.runtime.setAllConfig({});
    let outputs!: ReturnType<typeof fiscoBcosProgram>;
    await pulumi.runtime.runInPulumiStack(async () => (outputs = fiscoBcosProgram()));
    assert.equal(await (outputs.adminPrivateKey as any).isSecret, true);
    for (const name of ["nodeIds", "adminAddress", "genesisDigest", "caCertificate", "chartValues"] as const) {
      assert.equal(await (outputs[name] as any).isSecret, false, name);
    }
  });
});
