import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { runVerification, type CheckName, type CheckResult, type VerificationReport, type VerifyOptions } from "../verify";
import { runCli } from "../verify/cli";
import { NodeApi } from "../fisco/native-api";
import { randomNonce, signTransaction, type TransactionData } from "../fisco/native-tx";
import { PROBE_CREATION_CODE } from "../verify/probe/probe";
import { FiscoRpcClient, RpcError, type RpcEndpoint } from "../fisco/rpc-client";
import { FiscoRpcDouble, type FiscoRpcDoubleOptions } from "../doubles/fisco-rpc-double";
import { chainFixture, type ChainFixture } from "../doubles/chain-fixture";

/*
 * Each node judged by its role on chain (getSealerList, getObserverList), against FiscoRpcDouble (a test double of
 * FISCO's native RPC, not a node) over real mutual TLS: five nodes, four of them the genesis sealers; the fifth is a
 * free node (in neither list: it syncs, but the sealers drop the transactions it forwards) or an observer.
 */

let fixture: ChainFixture;
const doubles: FiscoRpcDouble[] = [];
const SEALERS = ["node0", "node1", "node2", "node3"];

before(async () => {
  fixture = await chainFixture(5);
});

after(async () => {
  await Promise.all(doubles.map((d) => d.close()));
});

/** Four sealers (node0–node3) and node4, a free node unless `observers` names it. */
async function startDouble(options: Partial<FiscoRpcDoubleOptions> = {}): Promise<FiscoRpcDouble> {
  const double = await FiscoRpcDouble.start({
    ca: fixture.ca,
    nodes: fixture.nodes,
    sealers: SEALERS.map((name) => ({ nodeId: fixture.nodeIds[name], weight: 1 })),
    initialHeight: 8,
    sealTimeMs: 20,
    syncDelayMs: 15,
    ...options,
  });
  doubles.push(double);
  return double;
}

const at = (double: FiscoRpcDouble, names: readonly string[]): RpcEndpoint[] => names.map((name) => ({ name, url: double.url(name) }));

function verify(double: FiscoRpcDouble, members: readonly string[], options: Partial<VerifyOptions> = {}): Promise<VerificationReport> {
  return runVerification({
    rpc: at(double, members),
    tls: fixture.sdk,
    expect: { kind: "ids", ids: SEALERS.map((name) => fixture.nodeIds[name]) },
    timeoutMs: 20_000,
    pollIntervalMs: 100,
    ...options,
  });
}

function check(report: VerificationReport, name: CheckName): CheckResult {
  const found = report.checks.find((c) => c.name === name);
  assert.ok(found, `no ${name} check in ${report.checks.map((c) => c.name).join(", ")}`);
  return found;
}

const failing = (report: VerificationReport) => report.checks.filter((c) => c.status === "fail").map((c) => c.name);
const roles = (report: VerificationReport) => Object.fromEntries(report.nodes.map((n) => [n.name, n.role]));
const sentThrough = (double: FiscoRpcDouble) => double.received.map((r) => r.node);

describe("the double answers getObserverList as FISCO v3.16.4 does", () => {
  test("a plain array of node id strings (nodeID->hex()), params [group, node]; a free node's transaction is never sealed", async () => {
    const double = await startDouble({ observers: [fixture.nodeIds.node3] });
    const client = new FiscoRpcClient({ name: "node4", url: double.url("node4") }, fixture.sdk);
    try {
      assert.deepEqual(await client.request("getObserverList", ["group0", ""], 5_000), [fixture.nodeIds.node3]);
      const api = new NodeApi(client, "group0");
      assert.deepEqual(await api.observerList(5_000), [fixture.nodeIds.node3]);
      assert.equal((await api.sealerList(5_000)).length, 4);

      const height = double.height;
      const tx: TransactionData = {
        version: 0,
        chainId: "chain0",
        groupId: "group0",
        blockLimit: height + 100,
        nonce: randomNonce(randomBytes),
        to: "",
        input: Buffer.from(PROBE_CREATION_CODE.slice(2), "hex"),
        abi: "",
      };
      const error = await api.sendTransaction(signTransaction(tx, `0x${"22".repeat(32)}`).hex, 600).then(
        () => assert.fail("a free node's transaction got a receipt"),
        (e: unknown) => e,
      );
      assert.ok(error instanceof RpcError && error.kind === "timeout", String(error));
      assert.deepEqual(sentThrough(double), ["node4"], "the free node took it into its pool");
      assert.equal(double.height, height, "and no block was sealed");
    } finally {
      client.close();
    }
  });
});

describe("roles on chain", () => {
  test("four sealers and a free node declared outside the group: green, roles reported, the probe never goes through the free node", async () => {
    const double = await startDouble();
    const report = await verify(double, SEALERS, { nonMembers: at(double, ["node4"]) });
    assert.equal(report.ok, true, JSON.stringify(report.checks, null, 2));
    assert.deepEqual(roles(report), { node0: "sealer", node1: "sealer", node2: "sealer", node3: "sealer", node4: "not a member" });
    assert.deepEqual(
      report.nodes.map((n) => n.expectedMember),
      [true, true, true, true, false],
    );
    assert.equal(check(report, "members").status, "pass");
    assert.equal(check(report, "members").summary, "sealer: node0, node1, node2, node3; not a member: node4");
    assert.deepEqual(report.observers, []);

    // The free node is verified like the others: it answers, shares the genesis, is everyone's peer and has the block.
    assert.equal(check(report, "reachable").summary.split(" ")[0], "5/5");
    assert.match(check(report, "genesis").summary, /^5\/5 nodes share genesis/);
    assert.equal(check(report, "peers").summary, "every node sees the 4 others");
    assert.match(check(report, "block-hash").summary, /on all 5 nodes$/);
    assert.match(check(report, "replicated").summary, /on all 5 nodes/);
    assert.equal(report.nodes[4].blockNumber, double.height);

    // The deploy and the write reached sealers only, and the read went through a sealer too.
    assert.equal(double.received.length, 2);
    assert.ok(!sentThrough(double).includes("node4"), sentThrough(double).join(", "));
    const via = report.probe!.via;
    for (const node of [via.deploy, via.set, via.get]) assert.ok(SEALERS.includes(node), `${node} is not a sealer`);
  });

  test("an expected member that is not a sealer or observer on chain fails, by name; the probe still goes through members only", async () => {
    const double = await startDouble();
    // node4 first: the node the probe would start on if it ignored roles.
    const report = await verify(double, ["node4", ...SEALERS], { timeoutMs: 8_000 });
    assert.deepEqual(failing(report), ["members"]);
    assert.deepEqual(check(report, "members").problems, [
      `node4 (${fixture.nodeIds.node4.slice(0, 8)}…) is expected to be a member of group0 but is neither a sealer nor an observer on chain: a free node may sync, but it cannot serve clients (the sealers drop the transactions it forwards)`,
    ]);
    assert.equal(report.nodes[0].role, "not a member");
    assert.equal(report.nodes[0].expectedMember, true);
    assert.equal(check(report, "probe").status, "pass", JSON.stringify(check(report, "probe")));
    assert.ok(!sentThrough(double).includes("node4"), sentThrough(double).join(", "));
    assert.notEqual(report.probe?.via.deploy, "node4");
  });

  test("an on-chain observer is reported as observer, and may take the probe (sealers accept what observers forward)", async () => {
    const double = await startDouble({ observers: [fixture.nodeIds.node4] });
    const report = await verify(double, ["node4", ...SEALERS]);
    assert.equal(report.ok, true, JSON.stringify(report.checks, null, 2));
    assert.deepEqual(roles(report), { node4: "observer", node0: "sealer", node1: "sealer", node2: "sealer", node3: "sealer" });
    assert.deepEqual(report.observers, [fixture.nodeIds.node4]);
    assert.equal(check(report, "members").summary, "sealer: node0, node1, node2, node3; observer: node4");
    assert.equal(report.probe?.via.deploy, "node4");
    assert.equal(sentThrough(double)[0], "node4");
  });

  test("a node declared outside the group that is already an observer passes, and the report says so", async () => {
    const double = await startDouble({ observers: [fixture.nodeIds.node4] });
    const report = await verify(double, SEALERS, { nonMembers: at(double, ["node4"]), probe: false });
    assert.equal(report.ok, true, JSON.stringify(report.checks, null, 2));
    assert.equal(report.nodes[4].role, "observer");
    assert.equal(
      check(report, "members").summary,
      "sealer: node0, node1, node2, node3; observer: node4; node4, declared outside the group, is an observer on chain",
    );
  });

  test("when only the free node answers, no probe is sent through it", async () => {
    const double = await startDouble();
    for (const name of SEALERS) await double.down(name);
    const report = await verify(double, SEALERS, { nonMembers: at(double, ["node4"]), timeoutMs: 2_500 });
    assert.ok(failing(report).includes("reachable"));
    assert.equal(check(report, "probe").status, "skip");
    assert.equal(check(report, "probe").summary, "not run: no sealer or observer answered (the probe goes through group members only)");
    assert.equal(double.received.length, 0);
  });
});

describe("the CLI reads rpc.nonMembers from endpoints.json", () => {
  function sdkDir(double: FiscoRpcDouble, rpc: Record<string, unknown>): string {
    const dir = mkdtempSync(join(tmpdir(), "verify-roles-sdk-"));
    writeFileSync(join(dir, "ca.crt"), fixture.sdk.ca);
    writeFileSync(join(dir, "sdk.crt"), fixture.sdk.cert);
    writeFileSync(join(dir, "sdk.key"), fixture.sdk.key, { mode: 0o600 });
    const endpoints = JSON.parse(fixture.endpointsJson);
    endpoints.rpc = { service: endpoints.rpc.service, ...rpc };
    writeFileSync(join(dir, "endpoints.json"), JSON.stringify(endpoints, null, 2));
    return dir;
  }

  async function cli(argv: string[]) {
    let stdout = "";
    let stderr = "";
    const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
    return { code, stdout, stderr };
  }

  const urls = (double: FiscoRpcDouble, names: readonly string[]) => Object.fromEntries(names.map((n) => [n, double.url(n)]));

  test("--sdk-dir: the free node is verified and printed with its role, the probe avoids it", async () => {
    const double = await startDouble();
    const dir = sdkDir(double, { nodes: urls(double, SEALERS), nonMembers: urls(double, ["node4"]) });
    const { code, stdout, stderr } = await cli(["--sdk-dir", dir, "--timeout", "30"]);
    assert.equal(code, 0, stdout + stderr);
    assert.match(stdout, /^PASS members +sealer: node0, node1, node2, node3; not a member: node4$/m);
    assert.match(stdout, /^PASS reachable +5\/5 nodes answered/m);
    assert.match(stderr, /verify: verifying 5 nodes \(1 declared outside the group\)/);
    assert.ok(!sentThrough(double).includes("node4"));

    const json = await cli(["--sdk-dir", dir, "--no-probe", "--json"]);
    assert.equal(json.code, 0, json.stdout + json.stderr);
    const report = JSON.parse(json.stdout) as VerificationReport;
    assert.deepEqual(roles(report), { node0: "sealer", node1: "sealer", node2: "sealer", node3: "sealer", node4: "not a member" });
  });

  test("an endpoints.json without rpc.nonMembers (an older Secret) still verifies its nodes", async () => {
    const double = await startDouble();
    const { code, stdout } = await cli(["--sdk-dir", sdkDir(double, { nodes: urls(double, SEALERS) }), "--no-probe"]);
    assert.equal(code, 0, stdout);
    assert.match(stdout, /^PASS members +sealer: node0, node1, node2, node3$/m);
  });

  test("--rpc with --non-members: names from all the URLs; --rpc alone replaces endpoints.json's nonMembers too", async () => {
    const double = await startDouble();
    const dir = sdkDir(double, { nodes: urls(double, SEALERS), nonMembers: { node4: "https://unreachable.invalid:20200" } });
    const members = SEALERS.map((n) => double.url(n)).join(",");
    const both = await cli(["--sdk-dir", dir, "--rpc", members, "--non-members", double.url("node4"), "--no-probe", "--json"]);
    assert.equal(both.code, 0, both.stdout + both.stderr);
    const report = JSON.parse(both.stdout) as VerificationReport;
    assert.deepEqual(
      report.nodes.map((n) => [n.name, n.role, n.expectedMember]),
      [...SEALERS, "node4"].map((n, i) => [new URL(double.url(n)).host, i < 4 ? "sealer" : "not a member", i < 4]),
    );
    const membersOnly = await cli(["--sdk-dir", dir, "--rpc", members, "--no-probe"]);
    assert.equal(membersOnly.code, 0, membersOnly.stdout);
    assert.match(membersOnly.stdout, /^PASS reachable +4\/4 nodes answered/m);
  });

  test("an expected member outside the group exits 1 and names it", async () => {
    const double = await startDouble();
    const { code, stdout } = await cli(["--sdk-dir", sdkDir(double, { nodes: urls(double, [...SEALERS, "node4"]) }), "--no-probe"]);
    assert.equal(code, 1, stdout);
    assert.match(
      stdout,
      /^FAIL members +sealer: node0, node1, node2, node3; not a member: node4\n +- node4 \([0-9a-f]{8}…\) is expected to be a member of group0 but is neither a sealer nor an observer on chain/m,
    );
  });

  test("usage errors: a malformed rpc.nonMembers, a node in both lists, --non-members without members", async () => {
    const double = await startDouble();
    const cases: [string[], RegExp][] = [
      [["--sdk-dir", sdkDir(double, { nodes: urls(double, SEALERS), nonMembers: ["x"] })], /rpc\.nonMembers is not a map of node names to URLs/],
      [
        ["--sdk-dir", sdkDir(double, { nodes: urls(double, SEALERS), nonMembers: urls(double, ["node3"]) })],
        /node3 listed in both rpc\.nodes and rpc\.nonMembers/,
      ],
      [["--non-members", double.url("node4")], /--rpc: give the node URLs/],
      [["--rpc", double.url("node0"), "--non-members", "ftp://x"], /--non-members: "ftp:\/\/x" must be an https:\/\/ or http:\/\/ URL/],
    ];
    for (const [argv, message] of cases) {
      const { code, stderr } = await cli(argv);
      assert.equal(code, 2, `${argv.join(" ")}: ${stderr}`);
      assert.match(stderr, message);
    }
  });
});
