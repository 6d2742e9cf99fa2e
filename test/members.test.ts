import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { accountFromPrivateKeyHex, scalarFromSeed } from "../chain/keys";
import type { DeclaredMember, MembershipStep } from "../chain/membership-plan";
import { NodeApi } from "../fisco/native-api";
import { FiscoRpcClient } from "../fisco/rpc-client";
import { applyMembership, undeclaredMembers, type ApplyOptions, type MembershipReport } from "../members/apply";
import { sendDirect, sendProposal, StepFailure, type Sender } from "../members/send";
import { ConsensusContractsDouble, type ConsensusDoubleOptions } from "../doubles/consensus-precompiled";
import { FiscoRpcDouble } from "../doubles/fisco-rpc-double";
import { chainFixture, type ChainFixture } from "../doubles/chain-fixture";

/*
 * The membership executor against FiscoRpcDouble (a test double of FISCO's native RPC over real mutual TLS, not a
 * node) with the consensus precompiled and committee contracts simulated as FISCO v3.16.4's source has them
 * (doubles/consensus-precompiled.ts). Six nodes: node0–node3 the genesis sealers, node4 and node5 started with the
 * genesis but not yet members (free nodes that sync).
 */

let fixture: ChainFixture;
const doubles: FiscoRpcDouble[] = [];
const clients: FiscoRpcClient[] = [];
const GENESIS = ["node0", "node1", "node2", "node3"];
const ALL = [...GENESIS, "node4", "node5"];
const ADMIN_KEY = `0x${scalarFromSeed(randomBytes(32).toString("hex")).toString("hex")}`;
const ADMIN = accountFromPrivateKeyHex(ADMIN_KEY).address;
const FAST = { rpcMs: 5_000, txMs: 10_000, syncMs: 1_500, visibleMs: 5_000, pollMs: 40 };

before(async () => {
  fixture = await chainFixture(6);
});

after(async () => {
  for (const c of clients) c.close();
  await Promise.all(doubles.map((d) => d.close()));
});

interface Chain {
  readonly double: FiscoRpcDouble;
  readonly contracts: ConsensusContractsDouble;
  readonly apis: NodeApi[];
}

/** `reportedAuthCheck`: what getGroupInfo says, when it should differ from what the contracts do. */
async function startChain(options: ConsensusDoubleOptions & { initialHeight?: number; reportedAuthCheck?: boolean } = {}): Promise<Chain> {
  const contracts = new ConsensusContractsDouble(ADMIN, options);
  const double = await FiscoRpcDouble.start({
    ca: fixture.ca,
    nodes: fixture.nodes,
    sealers: GENESIS.map((name) => ({ nodeId: fixture.nodeIds[name], weight: 1 })),
    initialHeight: options.initialHeight ?? 8,
    sealTimeMs: 15,
    syncDelayMs: 10,
    authCheck: options.reportedAuthCheck ?? options.authCheck ?? false,
    systemContracts: contracts.contracts,
  });
  doubles.push(double);
  const apis = ALL.map((name) => {
    const client = new FiscoRpcClient({ name, url: double.url(name) }, fixture.sdk);
    clients.push(client);
    return new NodeApi(client, "group0");
  });
  return { double, contracts, apis };
}

const sealer = (name: string, weight = 1): DeclaredMember => ({ name, nodeId: fixture.nodeIds[name], role: "sealer", weight });
const observer = (name: string): DeclaredMember => ({ name, nodeId: fixture.nodeIds[name], role: "observer", weight: 1 });

function run(chain: Chain, declared: readonly DeclaredMember[], options: Partial<ApplyOptions> = {}): Promise<MembershipReport> {
  const lines: string[] = [];
  return applyMembership({ apis: chain.apis, declared, adminKey: ADMIN_KEY, dryRun: false, timing: FAST, progress: (l) => lines.push(l), ...options });
}

/** The consensus contract's calls as `method node [weight]`, with node names for ids. */
function consensusCalls(chain: Chain, from = 0): string[] {
  const names = Object.fromEntries(Object.entries(fixture.nodeIds).map(([name, id]) => [id, name]));
  return chain.contracts.calls
    .slice(from)
    .filter((c) => c.contract === "consensus")
    .map((c) => `${c.method} ${names[c.node ?? ""] ?? c.node}${c.method === "addSealer" || c.method === "setWeight" ? ` ${c.weight}` : ""}`);
}

/** The chain's lists by node name, as a node answers them. */
async function onChain(chain: Chain): Promise<{ sealers: string[]; observers: string[] }> {
  const names = Object.fromEntries(Object.entries(fixture.nodeIds).map(([name, id]) => [id, name]));
  const api = chain.apis[0];
  const sealers = (await api.sealerList(5_000)).map((s) => `${names[s.nodeId]}${s.weight === 1 ? "" : `:${s.weight}`}`);
  const observers = (await api.observerList(5_000)).map((id) => names[id]);
  return { sealers: sealers.sort(), observers: observers.sort() };
}

const stepsOf = (report: MembershipReport) => report.plan?.steps.map((s) => `${s.action} ${s.name}${"weight" in s ? ` ${s.weight}` : ""}`);

describe("membership executor: a 4-sealer chain follows the declared set (auth checking off)", () => {
  test("grows to 5 sealers and an observer (observers first, promotion after sync), loses a sealer, changes a weight; each second run sends nothing", async () => {
    const chain = await startChain();
    const grown = [...GENESIS.map((n) => sealer(n)), sealer("node4"), observer("node5")];

    const first = await run(chain, grown);
    assert.equal(first.failure, null);
    assert.equal(first.ok, true);
    assert.deepEqual(stepsOf(first), ["addObserver node4", "addObserver node5", "addSealer node4 1"]);
    assert.deepEqual(consensusCalls(chain), ["addObserver node4", "addObserver node5", "addSealer node4 1"]);
    assert.deepEqual(await onChain(chain), { sealers: ["node0", "node1", "node2", "node3", "node4"], observers: ["node5"] });
    assert.equal(first.authCheck, false);
    assert.ok(first.applied.every((a) => a.code === 0 && a.via !== a.step.name));
    // each step in its own block, in order: the promotion only after node4 was an observer
    const blocks = first.applied.map((a) => a.blockNumber);
    assert.deepEqual(
      [...blocks].sort((a, b) => a - b),
      blocks,
    );
    assert.equal(new Set(blocks).size, 3);
    // every transaction is signed by the admin and sent through a member
    assert.ok(chain.double.received.every((r) => r.sender === ADMIN.toLowerCase() && r.to === "0000000000000000000000000000000000001003"));

    const sent = chain.double.received.length;
    const again = await run(chain, grown);
    assert.deepEqual(again.plan, { steps: [], refusals: [] });
    assert.equal(again.ok, true);
    assert.equal(chain.double.received.length, sent, "a second run with nothing to do sends nothing");

    const shrunk = grown.filter((d) => d.name !== "node3");
    const removal = await run(chain, shrunk);
    assert.equal(removal.failure, null);
    // the stack has no name for a node it no longer declares: it is named by its id
    assert.deepEqual(stepsOf(removal), [`remove undeclared-${fixture.nodeIds.node3.slice(0, 8)}`]);
    assert.deepEqual(await onChain(chain), { sealers: ["node0", "node1", "node2", "node4"], observers: ["node5"] });

    const weighted = shrunk.map((d) => (d.name === "node0" ? sealer("node0", 2) : d));
    const reweighed = await run(chain, weighted);
    assert.equal(reweighed.failure, null);
    assert.deepEqual(stepsOf(reweighed), ["setWeight node0 2"]);
    assert.deepEqual(await onChain(chain), { sealers: ["node0:2", "node1", "node2", "node4"], observers: ["node5"] });
    assert.deepEqual(consensusCalls(chain).slice(3), [`remove node3`, "setWeight node0 2"]);

    const before = chain.double.received.length;
    assert.deepEqual((await run(chain, weighted)).applied, []);
    assert.equal(chain.double.received.length, before);
  });

  test("a dry run prints the plan and sends nothing, and needs no key", async () => {
    const chain = await startChain();
    const report = await run(chain, [...GENESIS.map((n) => sealer(n)), sealer("node4")], { dryRun: true, adminKey: undefined });
    assert.equal(report.ok, true);
    assert.deepEqual(stepsOf(report), ["addObserver node4", "addSealer node4 1"]);
    assert.equal(chain.double.received.length, 0);
  });

  test("a plan that would lose quorum is refused with the numbers, and nothing is sent", async () => {
    const chain = await startChain();
    const report = await run(chain, [sealer("node0"), sealer("node1")]);
    assert.equal(report.ok, false);
    assert.match(report.failure ?? "", /refused: sealers of total weight 2 would leave consensus at once, but the chain \(W = 4\) can lose at most f = 1/);
    const heavy = await run(chain, [...GENESIS.map((n) => sealer(n)), sealer("node4", 5)]);
    assert.match(heavy.failure ?? "", /node4 would join consensus with weight 5, more than the chain could then lose/);
    assert.equal(chain.double.received.length, 0);
  });

  test("addSealer is not sent before the node has synced: the observer step goes, the promotion waits and the run stops; a later run promotes it", async () => {
    const chain = await startChain({ initialHeight: 80 });
    chain.double.lag("node4", 40);
    const declared = [...GENESIS.map((n) => sealer(n)), sealer("node4")];
    const lines: string[] = [];
    const report = await run(chain, declared, { progress: (l) => lines.push(l) });
    assert.equal(report.ok, false);
    assert.match(
      report.failure ?? "",
      /addSealer\(node4, weight 1\) not sent: node4 is at block \d+, 40 behind the highest known block \d+ \(at most 10 allowed\)/,
    );
    assert.deepEqual(consensusCalls(chain), ["addObserver node4"]);
    assert.ok(
      lines.some((l) => /waiting: node4 is at block/.test(l)),
      lines.join("\n"),
    );

    chain.double.lag("node4", 5); // within 10 blocks of the head
    const resumed = await run(chain, declared);
    assert.equal(resumed.failure, null);
    assert.deepEqual(stepsOf(resumed), ["addSealer node4 1"]);
    assert.deepEqual(consensusCalls(chain), ["addObserver node4", "addSealer node4 1"]);
  });

  test("a new node that is not a group peer (not running) is not added, even as an observer", async () => {
    const chain = await startChain();
    await chain.double.down("node5");
    const report = await run(chain, [...GENESIS.map((n) => sealer(n)), observer("node5")]);
    assert.match(
      report.failure ?? "",
      /addObserver\(node5\) not sent: node5 is not among the group peers \(getGroupPeers\) of node0, node1, node2, node3, node4/,
    );
    assert.deepEqual(report.unreachable, ["node5"]);
    assert.equal(chain.double.received.length, 0);
  });

  test("a step the sealers that are up could not carry is not sent: removing a sealer while another is down", async () => {
    const chain = await startChain();
    await chain.double.down("node3");
    // the plan allows it (weight 1 leaves, f = 1), but node3 is down: 0,1,3 would need weight 3 and only 2 is up
    const report = await run(chain, [sealer("node0"), sealer("node1"), sealer("node3")]);
    assert.match(
      report.failure ?? "",
      /remove\(undeclared-[0-9a-f]{8}\) not sent: after it the sealers would need weight 3 of 3 to seal, but those up and within 10 blocks weigh 2 \(down or behind: node3 \(weight 1\)\)/,
    );
    assert.equal(chain.double.received.length, 0);
    // adding a sealer while node3 is down is fine: 5 sealers need 4, and 4 are up
    const grown = await run(chain, [...GENESIS.map((n) => sealer(n)), sealer("node4")]);
    assert.equal(grown.failure, null);
    assert.deepEqual(consensusCalls(chain), ["addObserver node4", "addSealer node4 1"]);
  });

  test("a FISCO error code surfaces as its name and message", async () => {
    // The chain says auth checking is off, but its consensus contract refuses callers as with it on: CODE_NO_AUTHORIZED.
    const chain = await startChain({ authCheck: true, reportedAuthCheck: false });
    const report = await run(chain, [...GENESIS.map((n) => sealer(n)), observer("node4")]);
    assert.match(report.failure ?? "", /addObserver\(node4\) refused by FISCO in block \d+: -50000 CODE_NO_AUTHORIZED: Permission denied/);
  });
});

describe("members the stack no longer declares", () => {
  const id = (c: string) => c.repeat(128);
  const members = { sealers: [id("a"), id("b"), id("c")].map((nodeId) => ({ nodeId, weight: 1 })), observers: [id("d")] };
  const declared: DeclaredMember[] = [
    { name: "node0", nodeId: id("a"), role: "sealer", weight: 1 },
    { name: "node1", nodeId: id("b"), role: "sealer", weight: 1 },
  ];

  test("are named after the node an earlier update gave their id (formerNodeIds: the hook and the Job pass it), else by their id", () => {
    const former = { node2: id("c") };
    assert.deepEqual(undeclaredMembers(declared, members, former), { node2: id("c"), [`undeclared-${"d".repeat(8)}`]: id("d") });
    assert.deepEqual(undeclaredMembers(declared, members), { [`undeclared-${"c".repeat(8)}`]: id("c"), [`undeclared-${"d".repeat(8)}`]: id("d") });
  });

  test("a former name now used by another node is not reused for the old id", () => {
    const former = { node1: id("c") };
    assert.deepEqual(Object.keys(undeclaredMembers(declared, members, former)), [`undeclared-${"c".repeat(8)}`, `undeclared-${"d".repeat(8)}`]);
  });
});

describe("the consensus precompiled double refuses what FISCO v3.16.4 refuses, with its codes", () => {
  let chain: Chain;
  let sender: Sender;
  const step = (action: MembershipStep["action"], name: string, weight = 1): MembershipStep =>
    ({ action, name, nodeId: fixture.nodeIds[name] ?? name, weight, reason: "test", afterSync: true }) as MembershipStep;
  const refused = async (s: MembershipStep, pattern: RegExp) => {
    await assert.rejects(sendDirect(chain.apis[0], sender, s, 10_000), (e: unknown) => e instanceof StepFailure && pattern.test(e.message));
  };

  before(async () => {
    chain = await startChain();
    sender = { chainId: "chain0", groupId: "group0", privateKey: ADMIN_KEY };
  });

  test("addSealer for a node that is not an observer: -51104 CODE_ADD_SEALER_SHOULD_IN_OBSERVER", async () => {
    await refused(step("addSealer", "node4"), /-51104 CODE_ADD_SEALER_SHOULD_IN_OBSERVER: Only observer can be set in sealer/);
  });

  test("weight 0: -51102 CODE_INVALID_WEIGHT; setWeight of an observer: PrecompiledError; of an unknown node: -51103", async () => {
    await refused(step("setWeight", "node0", 0), /-51102 CODE_INVALID_WEIGHT/);
    await sendDirect(chain.apis[0], sender, step("addObserver", "node5"), 10_000);
    await refused(step("setWeight", "node5", 2), /status 15 \(PrecompiledError\): Cannot set weight to observer\./);
    await refused(step("setWeight", "node4", 2), /-51103 CODE_NODE_NOT_EXIST/);
    await refused(step("remove", "a".repeat(100)), /-51100 CODE_INVALID_NODE_ID/);
  });

  test("the last sealer cannot be removed or demoted: -51101 CODE_LAST_SEALER", async () => {
    const single = await startChain();
    single.double.setSealers([{ nodeId: fixture.nodeIds.node0, weight: 1 }]);
    await assert.rejects(sendDirect(single.apis[0], sender, step("remove", "node0"), 10_000), /-51101 CODE_LAST_SEALER: The last sealer cannot be removed/);
    await assert.rejects(sendDirect(single.apis[0], sender, step("addObserver", "node0"), 10_000), /-51101 CODE_LAST_SEALER/);
  });

  test("with auth checking on, a direct call is CODE_NO_AUTHORIZED, and a proposal from a non-governor reverts", async () => {
    const guarded = await startChain({ authCheck: true });
    await assert.rejects(sendDirect(guarded.apis[0], sender, step("addObserver", "node4"), 10_000), /-50000 CODE_NO_AUTHORIZED/);
    const stranger = { ...sender, privateKey: `0x${scalarFromSeed(randomBytes(32).toString("hex")).toString("hex")}` };
    await assert.rejects(
      sendProposal(guarded.apis[0], stranger, step("addObserver", "node4"), 10_000),
      /status 16 \(RevertInstruction\): you must be governor/,
    );
    assert.deepEqual(await onChain(guarded), { sealers: GENESIS, observers: [] });
  });
});

describe("membership executor with auth checking on: committee proposals", () => {
  test("the genesis admin, sole governor, passes each proposal with its own vote; the calls run as the committee", async () => {
    const chain = await startChain({ authCheck: true });
    const report = await run(chain, [...GENESIS.filter((n) => n !== "node3").map((n) => sealer(n)), sealer("node4"), observer("node5")]);
    assert.equal(report.failure, null);
    assert.equal(report.authCheck, true);
    assert.deepEqual(stepsOf(report), [
      "addObserver node4",
      "addObserver node5",
      "addSealer node4 1",
      `remove undeclared-${fixture.nodeIds.node3.slice(0, 8)}`,
    ]);
    assert.deepEqual(
      report.applied.map((a) => a.proposalId),
      ["1", "2", "3", "4"],
    );
    assert.deepEqual(await onChain(chain), { sealers: ["node0", "node1", "node2", "node4"], observers: ["node5"] });
    assert.ok(chain.contracts.calls.filter((c) => c.contract === "consensus").every((c) => c.sender === "0x0000000000000000000000000000000000010001"));
    assert.ok(chain.double.received.every((r) => r.to === "0000000000000000000000000000000000010001"));
  });

  test("a key that is not a governor is refused before anything is sent, naming what is missing", async () => {
    const chain = await startChain({ authCheck: true, governors: [{ address: "0x00000000000000000000000000000000000000aa", weight: 1 }] });
    const report = await run(chain, [...GENESIS.map((n) => sealer(n)), observer("node4")]);
    assert.match(
      report.failure ?? "",
      /auth checking is on, so membership changes go through committee proposals .* the signing key 0x[0-9a-f]{40} is not a governor/,
    );
    assert.equal(chain.double.received.length, 0);
  });

  test("a committee that needs more votes leaves the proposal open, and the run stops saying so", async () => {
    const chain = await startChain({
      authCheck: true,
      governors: [
        { address: ADMIN, weight: 1 },
        { address: "0x00000000000000000000000000000000000000bb", weight: 1 },
      ],
      participatesRate: 100,
      winRate: 50,
    });
    const report = await run(chain, [...GENESIS.map((n) => sealer(n)), observer("node4")]);
    assert.match(
      report.failure ?? "",
      /proposal 1 was created in block \d+ .* has not passed: the committee needs votes from other governors \(console: voteProposal 1\)/,
    );
    assert.deepEqual(await onChain(chain), { sealers: GENESIS, observers: [] });
  });

  test("the declared genesis and the chain must agree on auth checking", async () => {
    const chain = await startChain({ authCheck: true });
    const report = await run(chain, [...GENESIS.map((n) => sealer(n)), observer("node4")], { declaredAuthCheck: false });
    assert.match(report.failure ?? "", /runs with auth checking on, but the declared genesis has is_auth_check=false/);
    assert.equal(chain.double.received.length, 0);
  });
});
