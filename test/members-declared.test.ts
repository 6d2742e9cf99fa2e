import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { declaredFromOutputs, declaredFromTree } from "../members/declared";
import { synth } from "../offline/synth/synth";

/* The declared membership as `npm run members` reads it: a synth tree's stack-outputs.json, or stack outputs JSON. */

let dir: string;
let outputs: Record<string, any>;

before(async () => {
  dir = join(mkdtempSync(join(tmpdir(), "members-declared-")), "nodes");
  outputs = (await synth({ stack: "staging", out: dir })).outputs;
});

describe("the declared membership", () => {
  test("synth writes the stack outputs into the tree, the secret one shown as [secret], as `pulumi stack output --json` does", () => {
    const written = JSON.parse(readFileSync(join(dir, "stack-outputs.json"), "utf8"));
    assert.equal(written.adminPrivateKey, "[secret]");
    assert.deepEqual(written.nodeIds, outputs.nodeIds);
    assert.doesNotMatch(readFileSync(join(dir, "stack-outputs.json"), "utf8"), /PRIVATE KEY|ca\.key/);
  });

  test("a tree gives each node's id (its conf/node.nodeid), role and weight, the genesis' auth setting and chain id", () => {
    const declared = declaredFromTree(dir);
    assert.deepEqual(
      declared.members.map((m) => [m.name, m.role, m.weight]),
      outputs.chartValues.nodes.map((n: any) => [n.name, n.role, n.weight]),
    );
    for (const m of declared.members) assert.equal(m.nodeId, readFileSync(join(dir, m.name, "conf", "node.nodeid"), "utf8").trim());
    assert.ok(
      declared.members.some((m) => m.role === "observer"),
      "staging declares an observer",
    );
    assert.equal(declared.authCheck, false);
    assert.equal(declared.chainId, "chain0");
    assert.equal(declared.adminAddress, outputs.adminAddress.toLowerCase());
  });

  test("a tree whose node directory holds another id is refused", () => {
    const name = outputs.chartValues.nodes[0].name;
    writeFileSync(join(dir, name, "conf", "node.nodeid"), `${"ab".repeat(64)}\n`);
    assert.throws(() => declaredFromTree(dir), /holds abababab.*, but stack-outputs.json names .* for .*: the tree is not from one render/);
  });

  test("stack outputs without roles or with a bad id are refused, naming the key", () => {
    assert.throws(() => declaredFromOutputs({ nodeIds: {} }, "o.json"), /o\.json: no chartValues\.nodes/);
    assert.throws(() => declaredFromOutputs({}, "o.json"), /no nodeIds/);
    assert.throws(
      () => declaredFromOutputs({ nodeIds: { a: "12" }, chartValues: { nodes: [{ name: "a", role: "sealer", weight: 1 }] } }, "o.json"),
      /nodeIds\.a is not a 128-hex node id/,
    );
    assert.throws(
      () => declaredFromOutputs({ nodeIds: { a: "1".repeat(128) }, chartValues: { nodes: [{ name: "a", role: "leader", weight: 1 }] } }, "o.json"),
      /has role "leader"/,
    );
  });
});
