import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { runCli } from "../members/cli";
import { ConsensusContractsDouble } from "../doubles/consensus-precompiled";
import { FiscoRpcDouble } from "../doubles/fisco-rpc-double";
import { synth } from "../offline/synth/synth";

/*
 * `npm run members` end to end against FiscoRpcDouble (a test double of FISCO's native RPC over real mutual TLS, not a
 * node): the nodes' certificates, ids and genesis come from a real synth tree rendered with --state, then rendered
 * again with one more node — the local chain flow — and the CLI reads that tree.
 */

const FAST = { rpcMs: 5_000, txMs: 10_000, syncMs: 1_500, visibleMs: 5_000, pollMs: 40 };
const tmp = () => mkdtempSync(join(tmpdir(), "members-cli-"));
let dir: string;
let adminPem: string;
let adminHex: string;
let double: FiscoRpcDouble;
let contracts: ConsensusContractsDouble;
const read = (file: string) => readFileSync(join(dir, file), "utf8");

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), timing: FAST });
  for (const secret of [adminHex.slice(2), "PRIVATE KEY"]) {
    assert.ok(!stdout.includes(secret) && !stderr.includes(secret), "the admin key is never printed");
  }
  return { code, stdout, stderr };
}

const rpcFlag = () => `--rpc=${double.names.map((n) => double.url(n)).join(",")}`;

before(async () => {
  dir = join(tmp(), "nodes");
  const state = join(tmp(), "state.json");
  await synth({ stack: "dev", out: dir, state, includeSecrets: true });
  const genesisIds = ["node0", "node1", "node2", "node3"].map((n) => read(`${n}/conf/node.nodeid`).trim());
  // the chain grows by one declared sealer: the same identity, the recorded genesis, node4 added
  const outputs = (await synth({ stack: "dev", out: dir, state, includeSecrets: true, nodes: 5, force: true })).outputs;
  adminHex = outputs.adminPrivateKey;
  adminPem = join(dir, "ca", "accounts", readdirSync(join(dir, "ca", "accounts"))[0]);
  contracts = new ConsensusContractsDouble(outputs.adminAddress);
  double = await FiscoRpcDouble.start({
    ca: read("ca/ca.crt"),
    nodes: [0, 1, 2, 3, 4].map((i) => ({
      name: `node${i}`,
      nodeId: read(`node${i}/conf/node.nodeid`).trim(),
      cert: read(`node${i}/conf/ssl.crt`),
      key: read(`node${i}/conf/ssl.key`),
    })),
    sealers: genesisIds.map((nodeId) => ({ nodeId, weight: 1 })),
    chainId: "chain0",
    initialHeight: 5,
    sealTimeMs: 15,
    syncDelayMs: 10,
    systemContracts: contracts.contracts,
  });
});

after(async () => {
  await double?.close();
});

describe("npm run members", () => {
  test("when no node answers it says so, not that the lists disagree", async () => {
    const down = await cli("--tree", dir, "--rpc=https://127.0.0.1:1,https://127.0.0.1:2", "--dry-run");
    assert.equal(down.code, 1);
    assert.match(down.stdout + down.stderr, /none of the 2 nodes asked answered/);
    assert.doesNotMatch(down.stdout + down.stderr, /not the same on a majority/);
    const json = await cli("--tree", dir, "--rpc=https://127.0.0.1:1,https://127.0.0.1:2", "--dry-run", "--json");
    assert.deepEqual(JSON.parse(json.stdout).unreachable, ["127.0.0.1:1", "127.0.0.1:2"], "--json names the nodes that did not answer");
  });

  test("--tree: the dry run prints the plan and sends nothing; the run adds node4 as an observer, then promotes it; a second run sends nothing", async () => {
    const dry = await cli("--tree", dir, rpcFlag(), "--dry-run");
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /on chain: 4 sealers \(weights 1,1,1,1\), 0 observers/);
    assert.match(
      dry.stdout,
      /plan \(2 steps\):\n {2}1\. addObserver node4: node4 is not a member yet\n {2}2\. addSealer node4 weight 1 \(once synced\): node4 is declared a sealer of weight 1/,
    );
    assert.match(dry.stdout, /dry run: nothing sent/);
    assert.equal(double.received.length, 0);

    const applied = await cli("--tree", dir, rpcFlag(), "--admin-key", adminPem);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    assert.match(applied.stdout, /auth checking off \(direct calls\), signed by 0x[0-9a-f]{40}/);
    assert.match(applied.stdout, /applied: addObserver node4 in block \d+ via node\d/);
    assert.match(applied.stdout, /applied: addSealer node4 weight 1 in block \d+ via node\d/);
    assert.match(applied.stdout, /done: 5 sealers/);
    assert.match(applied.stderr, /members: \[2\/2\] addSealer\(node4, weight 1\): done/);
    assert.deepEqual(
      contracts.calls.map((c) => c.method),
      ["addObserver", "addSealer"],
    );

    const again = await cli("--tree", dir, rpcFlag(), "--admin-key", adminPem, "--json");
    assert.equal(again.code, 0);
    const report = JSON.parse(again.stdout);
    assert.deepEqual(report.plan, { steps: [], refusals: [] });
    assert.deepEqual(report.applied, []);
    assert.equal(double.received.length, 2, "nothing sent the second time");
  });

  test("--stack-nodes with the key from `pulumi stack output --json --show-secrets`: a plan that loses quorum is refused (exit 1)", async () => {
    const outputs = JSON.parse(read("stack-outputs.json"));
    assert.equal(outputs.adminPrivateKey, "[secret]", "the tree's stack outputs hold no secret");
    outputs.chartValues.nodes = outputs.chartValues.nodes.slice(0, 2); // node2, node3, node4 no longer declared
    const file = join(tmp(), "outputs.json");
    writeFileSync(file, JSON.stringify(outputs));
    const keyFile = join(tmp(), "secrets.json");
    writeFileSync(keyFile, JSON.stringify({ ...outputs, adminPrivateKey: adminHex }));
    const sent = double.received.length;
    const r = await cli("--stack-nodes", file, "--sdk-dir", join(dir, "sdk"), rpcFlag(), "--admin-key", keyFile);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /refused: sealers of total weight 3 would leave consensus at once, but the chain \(W = 5\) can lose at most f = 1/);
    assert.match(r.stdout, /stopped: the plan is refused/);
    assert.equal(double.received.length, sent);
  });

  test("bad usage exits 2 and names the flag", async () => {
    const hexFile = join(tmp(), "key");
    writeFileSync(hexFile, `"0x${"11".repeat(32)}"\n`);
    const secretJson = join(tmp(), "outputs.json");
    writeFileSync(secretJson, JSON.stringify({ adminPrivateKey: "[secret]" }));
    const cases: [string[], RegExp][] = [
      [[rpcFlag()], /exactly one of --tree <synth tree> or --stack-nodes/],
      [["--tree", dir, "--stack-nodes", join(dir, "stack-outputs.json")], /exactly one of/],
      [["--tree", dir, rpcFlag()], /--admin-key: give the genesis admin account's key \(or --dry-run/],
      [["--tree", dir, rpcFlag(), "--admin-key", hexFile], /--admin-key: the key's account is 0x[0-9a-f]{40}, but the genesis admin is 0x[0-9a-f]{40}/],
      [["--tree", dir, rpcFlag(), "--admin-key", secretJson], /shows adminPrivateKey as \[secret\]: save `pulumi stack output --json --show-secrets`/],
      [["--tree", tmp(), rpcFlag(), "--dry-run"], /has no stack-outputs.json/],
      [["--tree", dir, rpcFlag(), "--dry-run", "--sync-timeout", "0"], /--sync-timeout must be a number of seconds from 1 to 86400/],
      [["--tree", dir, "--bogus"], /Unknown option '--bogus'/],
    ];
    for (const [argv, pattern] of cases) {
      const r = await cli(...argv);
      assert.equal(r.code, 2, `${argv.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, pattern);
      assert.match(r.stderr, /usage: npm run members/);
    }
  });
});
