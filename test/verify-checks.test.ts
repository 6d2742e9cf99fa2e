import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { checkBlockAdvance, checkBlockHash, checkGenesis, checkMembers, checkSealers, checkSyncLag } from "../verify/checks";
import { Deadline } from "../verify/deadline";
import { parseConsensusStatus, parseObserverList, parseReceipt, parseSealerList, parseSyncStatus } from "../fisco/native-api";
import { formatText, type VerificationReport } from "../verify/report";
import { RpcError, classifyTransportError, parseResponse } from "../fisco/rpc-client";
import type { UpSnapshot } from "../verify/snapshot";

/* The pure parts of the verifier: parsing FISCO's answers, the verdicts, the text report. */

const id = (c: string) => c.repeat(128);

function up(
  name: string,
  nodeId: string,
  overrides: Partial<Pick<UpSnapshot, "sealers" | "observers">> & { genesis?: string; height?: number } = {},
): UpSnapshot {
  const sealers = overrides.sealers ?? [id("a"), id("b"), id("c"), id("d")].map((nodeId) => ({ nodeId, weight: 1 }));
  return {
    kind: "up",
    name,
    latencyMs: 1,
    group: { chainId: "chain0", groupId: "group0" },
    sync: {
      nodeId,
      genesisHash: overrides.genesis ?? "11".repeat(32),
      blockNumber: overrides.height ?? 5,
      latestHash: "",
      knownHighestNumber: 5,
      isSyncing: false,
      peers: [],
    },
    consensus: { nodeId, isConsensusNode: true, blockNumber: 5, view: 1, consensusNodeIds: sealers.map((s) => s.nodeId) },
    sealers,
    observers: overrides.observers ?? [],
  };
}

describe("parsing FISCO's answers", () => {
  test("getSyncStatus is JSON inside a string (FastWriter adds a newline); hashes lose 0x and case", () => {
    const text = `${JSON.stringify({ isSyncing: false, genesisHash: "AB".repeat(32), nodeID: id("e"), blockNumber: 7, archivedBlockNumber: 0, latestHash: "cd".repeat(32), knownHighestNumber: 9, knownLatestHash: "", peers: [{ nodeID: id("f"), genesisHash: "ab".repeat(32), blockNumber: 6, latestHash: "", archivedBlockNumber: 0 }] })}\n`;
    const s = parseSyncStatus(text, "node0");
    assert.equal(s.genesisHash, "ab".repeat(32));
    assert.equal(s.blockNumber, 7);
    assert.equal(s.knownHighestNumber, 9);
    assert.deepEqual(s.peers, [{ nodeId: id("f"), genesisHash: "ab".repeat(32), blockNumber: 6 }]);
    assert.throws(
      () => parseSyncStatus("{not json", "node0"),
      (e: RpcError) => e.kind === "protocol" && /getSyncStatus/.test(e.message),
    );
    assert.throws(() => parseSyncStatus('{"blockNumber":"x","peers":[]}', "node0"), /blockNumber is not a number/);
  });

  test("getConsensusStatus, getSealerList (objects, or plain ids from older nodes), receipts", () => {
    const c = parseConsensusStatus(
      JSON.stringify({ nodeID: id("a"), isConsensusNode: true, blockNumber: 3, view: 8, consensusNodeList: [{ nodeID: id("a"), weight: 2, index: 0 }] }),
      "n",
    );
    assert.deepEqual(c.consensusNodeIds, [id("a")]);
    assert.deepEqual(parseSealerList([{ nodeID: id("a"), weight: 2, termWeight: 1 }, id("b")], "n"), [
      { nodeId: id("a"), weight: 2 },
      { nodeId: id("b"), weight: 1 },
    ]);
    const r = parseReceipt(
      { status: 16, blockNumber: 4, transactionHash: "0xAB", contractAddress: "", output: "0x", message: "revert", from: "0xCD" },
      "n",
      "sendTransaction",
    );
    assert.deepEqual(r, { status: 16, message: "revert", blockNumber: 4, transactionHash: "ab", contractAddress: "", output: "", from: "cd" });
  });

  test("getObserverList: plain node id strings, as JsonRpcImpl_2_0::getObserverList appends nodeID->hex()", () => {
    assert.deepEqual(parseObserverList([id("A"), `0x${id("b")}`], "n"), [id("a"), id("b")]);
    assert.deepEqual(parseObserverList([], "n"), []);
    assert.deepEqual(parseObserverList([{ nodeID: id("c"), weight: 0 }], "n"), [id("c")], "objects (getNodeListByType's shape) are read too");
    assert.throws(
      () => parseObserverList({}, "n"),
      (e: RpcError) => e.kind === "protocol" && /unexpected getObserverList answer: not an array/.test(e.message),
    );
  });

  test("the JSON-RPC envelope: error objects, id mismatch, non-JSON", () => {
    assert.equal(parseResponse('{"jsonrpc":"2.0","id":3,"result":12}', 3, "n", "getBlockNumber"), 12);
    assert.throws(
      () => parseResponse('{"jsonrpc":"2.0","id":3,"error":{"code":10008,"message":"InvalidSignature"}}', 3, "n", "sendTransaction"),
      (e: RpcError) => e.kind === "rpc" && e.code === 10008 && e.message === "sendTransaction failed: InvalidSignature (code 10008)",
    );
    assert.throws(() => parseResponse('{"jsonrpc":"2.0","id":4,"result":1}', 3, "n", "m"), /carries id 4, expected 3/);
    assert.throws(() => parseResponse("<html>", 3, "n", "m"), /not JSON \(not FISCO's native RPC\?\)/);
  });

  test("transport errors say what to check, and which ones are worth waiting for", () => {
    const err = (code: string, message = code) => Object.assign(new Error(message), { code });
    assert.equal(classifyTransportError(err("ECONNREFUSED"), "n", "m").transient, true);
    assert.equal(classifyTransportError(err("ERR_SSL_TLSV1_ALERT_UNKNOWN_CA", "tlsv1 alert unknown ca"), "n", "m").kind, "tls");
    assert.match(
      classifyTransportError(err("ERR_SSL_TLSV1_ALERT_UNKNOWN_CA", "tlsv1 alert unknown ca"), "n", "m").message,
      /does not accept our client certificate/,
    );
    assert.match(classifyTransportError(err("SELF_SIGNED_CERT_IN_CHAIN"), "n", "m").message, /not signed by the CA in ca.crt/);
    assert.equal(classifyTransportError(err("ECONNRESET"), "n", "m").kind, "connect");
    assert.equal(classifyTransportError(err("ECONNRESET"), "n", "m", true).kind, "tls", "a reset during the handshake is a refusal");
  });
});

describe("verdicts", () => {
  test("sealers: vote weights decide the fault tolerance", () => {
    const sealers = [id("a"), id("b"), id("c"), id("d")].map((nodeId, i) => ({ nodeId, weight: i === 0 ? 3 : 1 }));
    const r = checkSealers([up("node0", id("a"), { sealers })], { kind: "count", count: 4 }, () => undefined);
    assert.equal(r.status, "pass");
    assert.equal(r.summary, "4 sealers, total weight 6, tolerates 1 faulty; expected 4");
    const split = checkSealers([up("node0", id("a")), up("node1", id("b"), { sealers: sealers.slice(1) })], { kind: "none" }, () => undefined);
    assert.deepEqual(split.problems, ["node1 list 3 sealers, node0 lists 4"]);
    const confused = up("node2", id("c"));
    const r2 = checkSealers(
      [{ ...confused, consensus: { ...confused.consensus, isConsensusNode: false, consensusNodeIds: [id("a")] } }],
      { kind: "none" },
      () => undefined,
    );
    assert.deepEqual(r2.problems, [
      "node2: the consensus engine runs with 1 sealers, the ledger lists 4",
      "node2 is a sealer but its consensus engine says it is not a consensus node",
    ]);
  });

  test("members: each node's role from the majority sealer and observer lists; an expected member outside both fails", () => {
    const observers = [id("e")];
    const nodes = [
      up("node0", id("a"), { observers }),
      up("node1", id("b"), { observers }),
      up("obs", id("e"), { observers }),
      up("free", id("f"), { observers }),
    ];
    const ok = checkMembers(nodes, new Set(["node0", "node1", "obs"]), "group0");
    assert.equal(ok.status, "pass");
    assert.equal(ok.summary, "sealer: node0, node1; observer: obs; not a member: free");
    const strict = checkMembers(nodes, new Set(["node0", "node1", "obs", "free"]), "group0");
    assert.equal(strict.status, "fail");
    assert.deepEqual(strict.problems, [
      `free (ffffffff…) is expected to be a member of group0 but is neither a sealer nor an observer on chain: a free node may sync, but it cannot serve clients (the sealers drop the transactions it forwards)`,
    ]);
    const early = checkMembers(nodes, new Set(["node0", "node1"]), "group0");
    assert.equal(early.status, "pass");
    assert.equal(early.summary, "sealer: node0, node1; observer: obs; not a member: free; obs, declared outside the group, is an observer on chain");
    const split = checkMembers([...nodes, up("node2", id("c"))], new Set(), "group0");
    assert.deepEqual(split.problems, ["node2 lists 0 observers, node0 lists 1"]);
  });

  test("genesis: the majority is the reference, the odd one out is named", () => {
    const r = checkGenesis([up("node0", id("a")), up("node1", id("b")), up("node2", id("c"), { genesis: "22".repeat(32) })]);
    assert.equal(r.status, "fail");
    assert.deepEqual(r.problems, ["node2 has genesis 22222222…, node0, node1 have 11111111…"]);
  });

  test("block advance, block hash and sync lag", () => {
    assert.match(
      checkBlockAdvance(
        5,
        7,
        [
          { name: "node0", height: 5 },
          { name: "node1", height: 5 },
        ],
        3_000,
      ).problems[0],
      /^height stayed at 5 on every node for 3.0 s/,
    );
    assert.deepEqual(
      checkBlockAdvance(
        5,
        7,
        [
          { name: "node0", height: 7 },
          { name: "node1", height: 6 },
        ],
        1_000,
      ).problems,
      ["node1 is at block 6, did not reach block 7 within 1.0 s"],
    );
    assert.equal(checkBlockAdvance(5, 7, [{ name: "node0", height: 8 }], 1_000).status, "pass");
    assert.deepEqual(
      checkBlockHash(7, [
        { name: "node0", hash: "aa" },
        { name: "node1", hash: null },
      ]).problems,
      ["node1 does not have block 7"],
    );
    assert.equal(
      checkSyncLag(
        [
          { name: "node0", height: 20 },
          { name: "node1", height: 10 },
        ],
        10,
      ).status,
      "pass",
      "a lag equal to the bound passes",
    );
    assert.deepEqual(
      checkSyncLag(
        [
          { name: "node0", height: 20 },
          { name: "node1", height: 9 },
        ],
        10,
      ).problems,
      ["node1 is 11 blocks behind (at 9, highest 20)"],
    );
  });

  test("the deadline cuts every wait and request timeout", () => {
    let now = 1_000;
    const d = new Deadline(5_000, () => now);
    assert.equal(d.budget(10_000), 5_000);
    assert.equal(d.budget(10_000, 1_000), 4_000);
    now += 4_500;
    assert.equal(d.budget(10_000, 1_000), 1, "never 0: a call can still fail cleanly");
    now += 1_000;
    assert.equal(d.expired(), true);
  });
});

test("the text report: one line per check, problems indented, a verdict line", () => {
  const report: VerificationReport = {
    ok: false,
    checks: [
      { name: "reachable", status: "pass", summary: "4/4 nodes answered", problems: [] },
      { name: "probe", status: "fail", summary: "the native test transaction did not complete", problems: ["deploy via node0: no receipt in time"] },
      { name: "replicated", status: "skip", summary: "not checked", problems: [] },
    ],
    blockHeight: 9,
    genesisHash: null,
    sealers: [],
    observers: [],
    probe: null,
    web3Probe: null,
    nodes: [],
    durationMs: 2_345,
  };
  assert.equal(
    formatText(report),
    [
      "PASS reachable   4/4 nodes answered",
      "FAIL probe       the native test transaction did not complete",
      "                 - deploy via node0: no receipt in time",
      "SKIP replicated  not checked",
      "verification FAILED: 1 of 2 checks failed in 2.3 s, height 9",
      "",
    ].join("\n"),
  );
});
