import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { planMembership, type DeclaredMember } from "../chain/membership-plan";

const id = (c: string) => c.repeat(128);
const sealer = (name: string, c: string, weight = 1): DeclaredMember => ({ name, nodeId: id(c), role: "sealer", weight });
const observer = (name: string, c: string): DeclaredMember => ({ name, nodeId: id(c), role: "observer", weight: 1 });
const FOUR = [sealer("node0", "a"), sealer("node1", "b"), sealer("node2", "c"), sealer("node3", "d")];
const chainOf = (...sealers: [string, number][]) => ({ sealers: sealers.map(([c, weight]) => ({ nodeId: id(c), weight })), observers: [] as string[] });
const GENESIS = chainOf(["a", 1], ["b", 1], ["c", 1], ["d", 1]);
const actions = (plan: ReturnType<typeof planMembership>) => plan.steps.map((s) => `${s.action} ${s.name}${"weight" in s ? ` ${s.weight}` : ""}`);

describe("membership plan: the on-chain sets follow the stack, in a safe order", () => {
  test("nothing to do: no step (idempotent)", () => {
    assert.deepEqual(planMembership(FOUR, GENESIS), { steps: [], refusals: [] });
  });

  test("a new sealer joins as an observer, and is promoted only after it has synced", () => {
    const plan = planMembership([...FOUR, sealer("node4", "e")], GENESIS);
    assert.deepEqual(actions(plan), ["addObserver node4", "addSealer node4 1"]);
    assert.equal((plan.steps[1] as { afterSync: boolean }).afterSync, true);
    assert.deepEqual(plan.refusals, []);
  });

  test("an observer the stack declares becomes an observer, nothing more", () => {
    assert.deepEqual(actions(planMembership([...FOUR, observer("obs", "f")], GENESIS)), ["addObserver obs"]);
  });

  test("ids compare case-insensitively, as FISCO does", () => {
    const upper = { sealers: GENESIS.sealers.map((s) => ({ ...s, nodeId: s.nodeId.toUpperCase() })), observers: [] };
    assert.deepEqual(planMembership(FOUR, upper).steps, []);
  });

  test("weights change with setWeight; a removed node leaves consensus after the others join", () => {
    const plan = planMembership(
      [sealer("node0", "a", 2), sealer("node1", "b"), sealer("node2", "c"), sealer("node4", "e")],
      chainOf(["a", 1], ["b", 1], ["c", 1], ["d", 1]),
      { node3: id("d") },
    );
    assert.deepEqual(actions(plan), ["addObserver node4", "setWeight node0 2", "addSealer node4 1", "remove node3"]);
    assert.deepEqual(plan.refusals, []);
  });

  test("a sealer declared an observer is demoted with addObserver", () => {
    const seven = "abcdefg".split("").map((c, i) => sealer(`node${i}`, c));
    const onChain = chainOf(..."abcdefg".split("").map((c) => [c, 1] as [string, number]));
    const plan = planMembership([...seven.slice(0, 6), observer("node6", "g")], onChain);
    assert.deepEqual(actions(plan), ["addObserver node6"]);
    assert.deepEqual(plan.refusals, []);
  });

  test("refused: more sealer weight leaving at once than the chain can lose, with the numbers", () => {
    const plan = planMembership(FOUR.slice(0, 2), GENESIS, { node2: id("c"), node3: id("d") });
    assert.match(plan.refusals[0], /total weight 2 would leave consensus at once, but the chain \(W = 4\) can lose at most f = 1/);
  });

  test("refused: no sealer would remain", () => {
    const plan = planMembership([observer("node0", "a")], chainOf(["a", 1]));
    assert.ok(plan.refusals.some((r) => /no sealer would remain/.test(r)));
  });

  test("refused: a sealer joining with more weight than the chain could lose if it faltered", () => {
    const plan = planMembership([...FOUR, sealer("big", "e", 3)], GENESIS);
    assert.match(plan.refusals[0], /big would join consensus with weight 3, more than the chain could then lose \(f = 2 of W = 7\).*add it with weight 2/);
  });
});
