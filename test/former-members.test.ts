import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { formerNodeIds, parseFormerNodeIds } from "../chain/former-members";
import type { DeclaredMember } from "../chain/membership-plan";
import type { ProviderState } from "../offline/mocks/engine";
import type { OfflineRun } from "../offline/mocks/run-program";
import { k8sObject, runChain } from "./support/offline-chain";

/*
 * The names of nodes the stack no longer declares (stack output formerNodeIds): what the membership step, in the
 * cluster as from the host, calls a node it removes from consensus. Kept from update to update, so the update after a
 * removal renders the same membership Job and a second preview shows no change.
 */

const id = (c: string) => c.repeat(128);
const member = (name: string, c: string): DeclaredMember => ({ name, nodeId: id(c), role: "sealer", weight: 1 });

describe("formerNodeIds", () => {
  test("a new stack, or nothing removed: none", () => {
    assert.deepEqual(formerNodeIds(undefined, undefined, [{ name: "node0", nodeId: id("a") }]), {});
    assert.deepEqual(formerNodeIds({}, [member("node0", "a")], [{ name: "node0", nodeId: id("a") }]), {});
  });

  test("a node the last update declared and this one does not is recorded, and stays recorded", () => {
    const removed = formerNodeIds(undefined, [member("node0", "a"), member("node1", "b")], [{ name: "node0", nodeId: id("a") }]);
    assert.deepEqual(removed, { node1: id("b") });
    assert.deepEqual(formerNodeIds(removed, [member("node0", "a")], [{ name: "node0", nodeId: id("a") }]), { node1: id("b") });
  });

  test("a name declared again, or an id a declared node has, leaves the record; a preview's unknown id does not matter", () => {
    const recorded = { node1: id("b"), node2: id("c") };
    assert.deepEqual(formerNodeIds(recorded, [], [{ name: "node1" }, { name: "node9", nodeId: id("c") }]), {});
  });

  test("ids in lower case without 0x, names sorted, entries that are not node ids dropped", () => {
    const recorded = { zeta: `0x${"A".repeat(128)}`, alpha: id("b"), bad: "1234", worse: 7 };
    assert.deepEqual(Object.entries(parseFormerNodeIds(recorded)), [
      ["zeta", id("a")],
      ["alpha", id("b")],
    ]);
    assert.deepEqual(Object.keys(formerNodeIds(recorded, [], [])), ["alpha", "zeta"]);
    assert.deepEqual(parseFormerNodeIds([id("a")]), {});
  });
});

describe("the program records them and gives them to the membership Job", () => {
  const NODES = ["node0", "node1", "node2", "node3", "node4"];
  const declare = (names: string[]) => ({ membership: { inCluster: true }, nodes: names.map((name) => ({ name })) });
  const state: ProviderState = new Map();
  let five: OfflineRun;
  let four: OfflineRun;
  let fourAgain: OfflineRun;
  before(async () => {
    five = await runChain(declare(NODES), state);
    four = await runChain(declare(NODES.slice(0, 4)), state, five.outputs);
    fourAgain = await runChain(declare(NODES.slice(0, 4)), state, four.outputs);
  });

  test("removing node4 records its name and id, as a stack output and in the Job's declared set", () => {
    assert.deepEqual(five.outputs.formerNodeIds, {});
    const node4 = five.outputs.nodeIds.node4 as string;
    assert.deepEqual(four.outputs.formerNodeIds, { node4 });
    const membership = four.outputs.chartValues.membership;
    assert.deepEqual(membership.formerNodeIds, { node4 });
    const declared = JSON.parse(k8sObject(four, "ConfigMap", `fisco-members-${membership.runId.slice(0, 10)}`).data["declared.json"]);
    assert.deepEqual(declared.formerNodeIds, { node4 });
    assert.deepEqual(Object.keys(declared.nodeIds), NODES.slice(0, 4));
  });

  test("the next update with the same nodes renders the same chart values: the same Job, no diff", () => {
    assert.deepEqual(fourAgain.outputs.formerNodeIds, four.outputs.formerNodeIds);
    assert.deepEqual(fourAgain.outputs.chartValues, four.outputs.chartValues);
  });

  test("declaring node4 again takes it off the record", async () => {
    const back = await runChain(declare(NODES), state, fourAgain.outputs);
    assert.deepEqual(back.outputs.formerNodeIds, {});
    assert.deepEqual(back.outputs.chartValues.membership.formerNodeIds, {});
  });
});
