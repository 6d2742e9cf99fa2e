import assert from "node:assert/strict";
import { test } from "node:test";
import { runChain } from "./support/offline-chain";

const isKeyMaterial = (type: string, kind?: string) => type.startsWith("tls:") || type.startsWith("random:") || kind === "Secret";

test("protect: true protects every key, certificate, seed and Secret, and the genesis record", async () => {
  const run = await runChain({ protect: true });
  const guarded = run.engine.resources.filter((r) => r.custom && (isKeyMaterial(r.type, r.inputs.kind) || r.inputs.metadata?.name === "fisco-genesis"));
  assert.ok(guarded.length >= 4 * 4 + 5, `${guarded.length}`);
  for (const r of guarded) assert.equal(r.options?.protect, true, `${r.type} ${r.name}`);
});

test("by default nothing is protected, but the genesis record is always kept on delete", async () => {
  const run = await runChain();
  const registered = run.engine.resources.filter((r) => r.options);
  assert.ok(registered.every((r) => !r.options!.protect));
  const genesis = registered.find((r) => r.inputs.metadata?.name === "fisco-genesis")!;
  assert.equal(genesis.options!.retainOnDelete, true);
  assert.deepEqual(genesis.options!.ignoreChanges, ["data"]);
});
