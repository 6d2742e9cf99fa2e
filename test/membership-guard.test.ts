import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { membershipChangeRefusals, parseDeclaredMembers } from "../chain/membership-guard";
import type { DeclaredMember } from "../chain/membership-plan";
import { pulumiConfigFromStackFile } from "../chain/stack-config";
import { runProgramOffline } from "../offline/mocks/run-program";

/*
 * A change of the stack's sealers and observers is refused before anything is applied when the chain could not
 * survive it: planned from the set the last update recorded (stack output declaredMembers, read back through a
 * StackReference to the stack itself) to the set declared now.
 */

const sealer = (i: number, weight = 1): DeclaredMember => ({ name: `node${i}`, nodeId: `${i}`.repeat(128).slice(0, 128), role: "sealer", weight });
const four = [0, 1, 2, 3].map((i) => sealer(i));

describe("membershipChangeRefusals", () => {
  test("a new stack, or nothing recorded: nothing to refuse", () => {
    assert.deepEqual(membershipChangeRefusals(undefined, four), []);
    assert.deepEqual(membershipChangeRefusals([], four.slice(0, 1)), []);
  });

  test("one of four equal sealers may leave; two at once may not (f = 1), with the numbers", () => {
    assert.deepEqual(membershipChangeRefusals(four, four.slice(0, 3)), []);
    const [problem, ...more] = membershipChangeRefusals(four, four.slice(0, 2));
    assert.equal(more.length, 0);
    assert.match(problem, /sealers of total weight 2 would leave consensus at once, but the chain \(W = 4\) can lose at most f = 1/);
    const demoted = four.map((m, i) => (i < 2 ? { ...m, role: "observer" as const } : m));
    assert.equal(membershipChangeRefusals(four, demoted).length, 1, "demoting two counts as two leaving");
  });

  test("a sealer joining heavier than the chain could then lose is refused, also with an id a preview does not know yet", () => {
    const joining: DeclaredMember = { name: "node4", nodeId: "new:node4", role: "sealer", weight: 3 };
    assert.match(
      membershipChangeRefusals(four, [...four, joining]).join("\n"),
      /node4 would join consensus with weight 3, more than the chain could then lose \(f = 2 of W = 7\)/,
    );
    assert.deepEqual(membershipChangeRefusals(four, [...four, { ...joining, weight: 1 }]), []);
  });

  test("the recorded form is checked on the way in", () => {
    assert.equal(parseDeclaredMembers(undefined), undefined);
    assert.equal(parseDeclaredMembers([{ name: "x" }]), undefined);
    assert.deepEqual(parseDeclaredMembers(four), four);
  });
});

const config = (nodes: number) => pulumiConfigFromStackFile({ "fisco-bcos:nodes": Array.from({ length: nodes }, (_, i) => ({ name: `node${i}` })) });

const ROOT = join(__dirname, "..");
function synthCli(...args: string[]) {
  const result = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "scripts", "synth.ts"), "--stack", "dev", ...args], {
    cwd: ROOT,
    encoding: "utf8",
  });
  return { code: result.status, stderr: result.stderr };
}

describe("the program refuses it before anything changes", () => {
  test("the outputs record the declared set, each node's id, role and weight", async () => {
    const first = await runProgramOffline({ stack: "test", config: config(4), providerState: new Map() });
    const recorded = first.outputs.declaredMembers as DeclaredMember[];
    assert.deepEqual(
      recorded.map((m) => [m.name, m.nodeId, m.role, m.weight]),
      Object.entries(first.outputs.nodeIds).map(([name, id]) => [name, id, "sealer", 1]),
    );
  });

  test("synth --state: removing two of four sealers in one run stops it with the numbers (exit 1); one at a time goes ahead while f allows", () => {
    const dir = mkdtempSync(join(tmpdir(), "membership-guard-"));
    const state = join(dir, "state.json");
    assert.equal(synthCli("--out", join(dir, "a"), "--state", state, "--nodes", "4").code, 0);
    const refused = synthCli("--out", join(dir, "b"), "--state", state, "--nodes", "2");
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(
      refused.stderr,
      /this change of sealers and observers is refused \(the chain could stop\):\s+sealers of total weight 2 would leave consensus at once, but the chain \(W = 4\) can lose at most f = 1/,
    );
    assert.equal(synthCli("--out", join(dir, "c"), "--state", state, "--nodes", "3").code, 0, "one sealer leaves");
    const again = synthCli("--out", join(dir, "d"), "--state", state, "--nodes", "2");
    assert.equal(again.code, 1, "three equal sealers tolerate no fault (f = 0): none may leave");
    assert.match(again.stderr, /sealers of total weight 1 would leave consensus at once, but the chain \(W = 3\) can lose at most f = 0/);
  });
});
