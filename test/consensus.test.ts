import assert from "node:assert/strict";
import { test } from "node:test";
import { faultTolerance, maxSealersDown, quorumWeight } from "../chain/consensus";

const sealers = (...weights: number[]) => weights.map((weight, i) => ({ name: `n${i}`, weight }));

test("PBFT fault tolerance counts vote weight: f = floor((W-1)/3)", () => {
  assert.equal(faultTolerance(sealers(1, 1, 1, 1)), 1);
  assert.equal(faultTolerance(sealers(1, 1, 1)), 0);
  assert.equal(faultTolerance(sealers(1, 1, 1, 1, 1, 1, 1)), 2);
  assert.equal(faultTolerance(sealers(3, 1, 1, 1)), 1);
  assert.equal(quorumWeight(sealers(1, 1, 1, 1)), 3);
});

test("the most sealers that may be down, heaviest first, while the rest reach quorum", () => {
  assert.equal(maxSealersDown(sealers(1, 1, 1, 1)), 1);
  assert.equal(maxSealersDown(sealers(1, 1, 1, 1, 1, 1, 1)), 2);
  assert.equal(maxSealersDown(sealers(3, 1, 1, 1)), 0);
  assert.equal(maxSealersDown(sealers(1)), 0);
  assert.equal(maxSealersDown(sealers(2, 2, 1, 1, 1, 1, 1)), 1);
});

test("whatever sealers go down within that number, the rest still hold a quorum", () => {
  for (const weights of [
    [1, 1, 1, 1],
    [3, 1, 1, 1],
    [2, 2, 2, 1, 1, 1, 1],
    [5, 4, 3, 2, 1, 1, 1, 1, 1, 1],
  ]) {
    const set = sealers(...weights);
    const down = maxSealersDown(set);
    const heaviest = [...weights]
      .sort((a, b) => b - a)
      .slice(0, down)
      .reduce((a, b) => a + b, 0);
    assert.ok(heaviest <= faultTolerance(set), `${weights}`);
    const oneMore = [...weights]
      .sort((a, b) => b - a)
      .slice(0, down + 1)
      .reduce((a, b) => a + b, 0);
    assert.ok(down === weights.length || oneMore > faultTolerance(set), `${weights}: ${down} is not the most`);
  }
});
