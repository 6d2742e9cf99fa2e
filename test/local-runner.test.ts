import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, lstatSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { bridgeName, hostVethName, netnsName, treeId } from "../local/names";
import { ipCommand, namespacePids, removeOwned } from "../local/network";
import { checkPrerequisites, PrerequisiteError, type System } from "../local/prerequisites";
import { loadState, workDir, type RunState } from "../local/state";
import { readTree, TreeError } from "../local/tree";
import { WORKDIR_ENTRIES } from "../local/workdir";
import { CONNECT_SCRIPT, doubleEvents, eventually, FISCO_DOUBLE, inNamespace, ip, kernelSnapshot, local, processRuns } from "./support/local-runner";
import { PROJECT_ROOT, tempDir } from "./support/shell";

/*
 * The local chain runner (local/, npm run local:*) against a stand-in for fisco-bcos (doubles/fisco-bcos-double.mjs)
 * on a tree rendered by synth. The network tests need root (or CAP_SYS_ADMIN and CAP_NET_ADMIN) and iproute2; CI runs
 * as root. Everything the runner creates is removed in `after`, also when a test fails.
 */

/** Render the dev stack with `nodes` sealers into `out`. */
function synth(out: string, nodes: number): void {
  const run = spawnSync(
    process.execPath,
    ["--import", "tsx", join(PROJECT_ROOT, "scripts", "synth.ts"), "--stack", "dev", "--out", out, "--nodes", String(nodes)],
    { cwd: PROJECT_ROOT, encoding: "utf8" },
  );
  assert.equal(run.status, 0, run.stderr);
}

/**
 * A five-node render `full`, and `tree`: the same chain with only node0–node3 (their nodes.json without node4), as a
 * deployment that keeps its identity looks before a node is added. synth makes a new CA, keys and genesis on every
 * run, so a second render could not stand for the same chain with one node more. (The genesis here lists five
 * sealers; a real addition keeps the four-sealer genesis and adds node4 on chain. The double does not look.)
 */
function renderTrees(): { tree: string; full: string } {
  const dir = tempDir("local-runner-");
  const full = join(dir, "full");
  const tree = join(dir, "tree");
  synth(full, 5);
  cpSync(full, tree, { recursive: true, filter: (src) => !src.startsWith(join(full, "node4")) });
  const peers = JSON.parse(readFileSync(join(full, "node0", "nodes.json"), "utf8")).nodes.filter((p: string) => !p.includes("node4"));
  for (const n of [0, 1, 2, 3]) writeFileSync(join(tree, `node${n}`, "nodes.json"), `${JSON.stringify({ nodes: peers })}\n`);
  return { tree, full };
}

const fakeSystem = (overrides: Partial<System>): System => ({ platform: "linux", euid: 0, capEff: 0n, path: process.env.PATH ?? "", ...overrides });

describe("local runner: reading a synth tree and checking prerequisites (no privileges needed)", () => {
  let trees: { tree: string; full: string };
  before(() => {
    trees = renderTrees();
  });

  test("finds the node directories, their peer DNS names, ports and SDK files", () => {
    const tree = readTree(trees.full);
    assert.deepEqual(
      tree.nodes.map((n) => n.name),
      ["node0", "node1", "node2", "node3", "node4"],
    );
    assert.equal(tree.nodes[2].host, "fisco-node2.fisco-dev.svc.cluster.local");
    assert.deepEqual(tree.nodes[0].ports, { p2p: 30300, rpc: 20200, web3: 8545 });
    assert.equal(tree.nodes[0].rpcTls, true);
    assert.equal(new Set(tree.nodes.map((n) => n.genesisSha256)).size, 1, "one genesis");
    assert.equal(tree.groupId, "group0");
    assert.equal(tree.version, "3.16.4");
    assert.ok(tree.sdk && existsSync(tree.sdk.key));
  });

  test("refuses a peer in nodes.json that is no node of the tree, and a directory that is no tree", () => {
    const broken = tempDir("local-broken-");
    cpSync(trees.tree, broken, { recursive: true });
    writeFileSync(join(broken, "node1", "nodes.json"), JSON.stringify({ nodes: ["elsewhere.example.org:30300"] }));
    assert.throws(
      () => readTree(broken),
      (e: Error) => e instanceof TreeError && /node1\/nodes.json names elsewhere.example.org:30300, which is no node of this tree/.test(e.message),
    );
    assert.throws(() => readTree(join(broken, "sdk")), TreeError);
  });

  test("kernel object names fit Linux's 15-character interface names and carry the per-tree id", () => {
    const id = treeId("/some/tree");
    assert.match(id, /^fb[0-9a-f]{6}$/);
    assert.ok(bridgeName(id).length <= 15 && hostVethName(id, 254).length <= 15);
    assert.equal(netnsName(id, "node0"), `${id}-node0`);
    assert.notEqual(treeId("/some/tree"), treeId("/other/tree"));
  });

  test("names every missing prerequisite at once", () => {
    const problems = (system: System, bin?: string) => {
      try {
        checkPrerequisites({ bin }, system);
        return [];
      } catch (error) {
        assert.ok(error instanceof PrerequisiteError);
        return error.missing;
      }
    };
    const missing = problems(fakeSystem({ platform: "darwin", euid: 1000, path: "/nonexistent" }), "/nonexistent/fisco-bcos");
    assert.ok(
      missing.some((m) => /^Linux/.test(m)),
      missing.join("\n"),
    );
    assert.ok(
      missing.some((m) => /root, or CAP_SYS_ADMIN and CAP_NET_ADMIN/.test(m)),
      missing.join("\n"),
    );
    assert.ok(
      missing.some((m) => /the fisco-bcos binary: --bin \/nonexistent\/fisco-bcos does not exist/.test(m)),
      missing.join("\n"),
    );
    const withCaps = problems(fakeSystem({ euid: 1000, capEff: (1n << 21n) | (1n << 12n) }));
    assert.ok(!withCaps.some((m) => /CAP_SYS_ADMIN/.test(m)), "CAP_SYS_ADMIN and CAP_NET_ADMIN are enough for namespaces");
  });

  test("a binary that does not answer --version like fisco-bcos is named", () => {
    const dir = tempDir("local-bin-");
    const impostor = join(dir, "fisco-bcos");
    writeFileSync(impostor, "#!/bin/sh\necho hello\n");
    chmodSync(impostor, 0o755);
    const notExecutable = join(dir, "plain");
    writeFileSync(notExecutable, "");
    for (const [bin, pattern] of [
      [impostor, /did not within 10 s \(exit 0, printed "hello"\)/],
      [notExecutable, /is not an executable file/],
    ] as const) {
      assert.throws(
        () => checkPrerequisites({ bin }, fakeSystem({})),
        (e: Error) => e instanceof PrerequisiteError && pattern.test(e.message),
        bin,
      );
    }
    assert.equal(checkPrerequisites({ bin: FISCO_DOUBLE }, fakeSystem({})).binary?.version, "3.16.4");
  });
});

/** Why the network tests cannot run here, or undefined when they can. */
function networkUnavailable(): string | undefined {
  try {
    checkPrerequisites({});
    return undefined;
  } catch (error) {
    const missing = error instanceof PrerequisiteError ? error.missing.join("; ") : (error as Error).message;
    return `needs root (or CAP_SYS_ADMIN and CAP_NET_ADMIN) and iproute2 (CI runs as root); missing here: ${missing}`;
  }
}

const skipNetwork = networkUnavailable();

describe("local runner: a chain of four nodes in network namespaces (fisco-bcos test double)", { skip: skipNetwork }, () => {
  let tree: string;
  let full: string;
  let before_: ReturnType<typeof kernelSnapshot>;
  const state = (): RunState => loadState(tree)!;
  const pidOf = (node: string) => state().nodes[node].pid!;
  const addressOf = (node: string) => {
    const s = state();
    return `${s.subnet!.join(".")}.${s.nodes[node].slot}`;
  };

  before(() => {
    before_ = kernelSnapshot();
    ({ tree, full } = renderTrees());
  });

  after(() => {
    // Clean up even when a test failed half-way: the runner's own down, then a sweep by the tree's id.
    const down = local("down", "--tree", tree, "--grace", "2", "--purge");
    if (down.code !== 0) process.stderr.write(`local:down in cleanup: ${down.stderr}\n`);
    const sweep = ipCommand("ip");
    const id = treeId(tree);
    for (const ns of kernelSnapshot().namespaces.filter((n) => n.startsWith(`${id}-`)))
      for (const pid of namespacePids(sweep, ns)) process.kill(pid, "SIGKILL");
    removeOwned(sweep, id);
  });

  test("prerequisites: a missing binary is named, exit 2, nothing created", () => {
    const run = local("up", "--tree", tree, "--bin", "/nonexistent/fisco-bcos");
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /missing prerequisites:\n\s+- the fisco-bcos binary: --bin \/nonexistent\/fisco-bcos does not exist/);
    assert.deepEqual(kernelSnapshot(), before_);
    assert.equal(existsSync(join(tree, ".local-run")), false);
  });

  test("stop, reload and down on a tree that never ran say so and create nothing (no .local-run/ to hold up a later synth --force)", () => {
    for (const command of ["stop", "reload", "down"]) {
      const run = local(command, "--tree", tree);
      assert.equal(run.code, 0, `${command}: ${run.stderr}`);
      if (command !== "down") assert.match(run.stdout, /nothing runs for /, command);
      assert.equal(existsSync(join(tree, ".local-run")), false, command);
    }
    assert.deepEqual(kernelSnapshot(), before_);
  });

  test("up starts every node as its own process in its own namespace", () => {
    const run = local("up", "--tree", tree, "--bin", FISCO_DOUBLE, "--wait", "30");
    assert.equal(run.code, 0, run.stderr);
    const id = treeId(tree);
    for (const node of ["node0", "node1", "node2", "node3"]) {
      assert.match(run.stdout, new RegExp(`${node}: started \\(pid \\d+\\), RPC port [\\d.]+:20200 open`));
      assert.ok(processRuns(pidOf(node)), `${node} runs`);
      assert.equal(ip("netns", "identify", String(pidOf(node))).trim(), netnsName(id, node), `${node} is in its own namespace`);
    }
    assert.equal(new Set(["node0", "node1", "node2", "node3"].map(pidOf)).size, 4);
    assert.match(run.stdout, /verify from this host: npm run verify -- --sdk-dir \S+\/sdk --rpc https:\/\/[\d.]+:20200,/);
    assert.match(
      run.stdout,
      new RegExp(`or with sdk/ unchanged, from inside the chain's network: ip netns exec ${netnsName(id, "node0")} npm run verify -- --sdk-dir \\S+/sdk\n`),
    );
  });

  test("each node runs `fisco-bcos -c config.ini -g config.genesis` in a working directory laid out like the pod's /data", () => {
    for (const node of ["node0", "node3"]) {
      const dir = workDir(tree, node);
      assert.deepEqual(readdirSync(dir).sort(), [...WORKDIR_ENTRIES].sort());
      assert.equal(readlinkSync(join(dir, "nodes.json")), "peers/nodes.json", "as the chart's init container links it");
      assert.ok(lstatSync(join(dir, "peers")).isSymbolicLink() && lstatSync(join(dir, "conf")).isSymbolicLink());
      for (const file of ["config.ini", "config.genesis", "nodes.json", "conf/node.pem"])
        assert.deepEqual(readFileSync(join(dir, file)), readFileSync(join(tree, node, file)), `${node}/${file} as rendered`);
      const start = doubleEvents(dir).find((e) => e.event === "start")!;
      assert.deepEqual(start.argv.slice(1), ["-c", "config.ini", "-g", "config.genesis"]);
      assert.equal(start.argv[0], FISCO_DOUBLE);
      assert.equal(start.cwd, dir);
      assert.equal(start.pid, pidOf(node), "the recorded PID is fisco-bcos itself (ip netns exec execs it), so signals reach it");
    }
  });

  test("inside each namespace the peers' Service DNS names resolve to the peers' addresses, and their P2P ports connect", () => {
    const s = state();
    for (const node of ["node0", "node1", "node2", "node3"]) {
      for (const peer of ["node0", "node1", "node2", "node3"]) {
        const got = inNamespace(s.nodes[node].netns!, "getent", "hosts", s.nodes[peer].host);
        assert.equal(got.code, 0, `${node} resolves ${s.nodes[peer].host}: ${got.stderr}`);
        assert.equal(got.stdout.split(/\s+/)[0], addressOf(peer), `${node}: ${s.nodes[peer].host}`);
      }
      const peers = JSON.parse(readFileSync(join(tree, node, "nodes.json"), "utf8")).nodes as string[];
      const connect = inNamespace(s.nodes[node].netns!, process.execPath, "-e", CONNECT_SCRIPT, ...peers);
      assert.deepEqual(JSON.parse(connect.stdout), Object.fromEntries(peers.map((p) => [p, true])), `${node}: ${connect.stderr}`);
    }
  });

  test("the nodes find each other through nodes.json (the double connects to every peer)", async () => {
    for (const node of ["node0", "node1", "node2", "node3"]) {
      const connected = () =>
        new Set(
          doubleEvents(workDir(tree, node))
            .filter((e) => e.event === "peer")
            .map((e) => e.entry),
        ).size === 4;
      assert.ok(await eventually(connected), `${node} connected to all four P2P ports`);
      const resolved = doubleEvents(workDir(tree, node)).find((e) => e.event === "resolve")!;
      assert.deepEqual(
        resolved.peers.map((p: { address: string }) => p.address),
        ["node0", "node1", "node2", "node3"].map(addressOf),
      );
    }
  });

  test("RPC and web3 are reachable from the host at the printed addresses; status shows processes, height and peers", async () => {
    const web3 = await new Promise<string>((resolve, reject) => {
      const req = request({ host: addressOf("node1"), port: 8545, method: "POST", headers: { "content-type": "application/json" } }, (res) => {
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () => resolve(body));
      });
      req.on("error", reject);
      req.end(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] }));
    });
    assert.equal(JSON.parse(web3).result, "0x0");
    const json = local("status", "--tree", tree, "--json");
    assert.equal(json.code, 0, json.stderr);
    const nodes = JSON.parse(json.stdout).nodes as { name: string; process: string; rpcUrl: string; height: number; peers: number }[];
    assert.deepEqual(
      nodes.map((n) => [n.name, n.process, n.rpcUrl, n.height, n.peers]),
      ["node0", "node1", "node2", "node3"].map((n) => [n, "running", `https://${addressOf(n)}:20200`, 0, 3]),
      "native RPC over mutual TLS with sdk/ certificates",
    );
    const text = local("status", "--tree", tree);
    assert.match(text.stdout, /^node\s+process\s+address\s+rpc\s+web3\s+height\s+peers$/m);
    assert.match(text.stdout, new RegExp(`^node2\\s+running pid ${pidOf("node2")}\\s+${addressOf("node2").replace(/\./g, "\\.")}\\s+https://`, "m"));
  });

  test("a second up on the running tree says so and starts no twins", () => {
    const pids = ["node0", "node1", "node2", "node3"].map(pidOf);
    const run = local("up", "--tree", tree, "--bin", FISCO_DOUBLE);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /already running for .*: node0 \(pid \d+\), node1/);
    assert.deepEqual(["node0", "node1", "node2", "node3"].map(pidOf), pids);
    for (const node of ["node0", "node1", "node2", "node3"])
      assert.equal(namespacePids(ipCommand("ip"), state().nodes[node].netns!).length, 1, `one process in ${node}'s namespace`);
  });

  test("stop one node, then start it again in the same namespace at the same address", async () => {
    const old = pidOf("node2");
    const address = addressOf("node2");
    const stop = local("stop", "--tree", tree, "--nodes", "node2", "--grace", "5");
    assert.equal(stop.code, 0, stop.stderr);
    assert.match(stop.stdout, /node2: stopped/);
    assert.ok(await eventually(() => !processRuns(old), 5000), "node2's process is gone");
    assert.ok(doubleEvents(workDir(tree, "node2")).some((e) => e.event === "signal" && e.signal === "SIGTERM"));
    const status = JSON.parse(local("status", "--tree", tree, "--json").stdout).nodes as { name: string; process: string }[];
    assert.deepEqual(
      status.map((n) => n.process),
      ["running", "running", "stopped", "running"],
    );
    assert.ok(kernelSnapshot().namespaces.includes(state().nodes.node2.netns!), "its namespace stays (like the Service)");

    // --bin defaults to the binary the nodes were last started with
    const start = local("start", "--tree", tree, "--nodes", "node2");
    assert.equal(start.code, 0, start.stderr);
    assert.notEqual(pidOf("node2"), old);
    assert.equal(addressOf("node2"), address);
    assert.equal(ip("netns", "identify", String(pidOf("node2"))).trim(), state().nodes.node2.netns);
    assert.equal(doubleEvents(workDir(tree, "node2")).filter((e) => e.event === "start").length, 2);
  });

  test("a node whose genesis is another chain's is refused (synth renders a new identity on every run)", () => {
    const stop = local("stop", "--tree", tree, "--nodes", "node3", "--grace", "5");
    assert.equal(stop.code, 0, stop.stderr);
    const file = join(tree, "node3", "config.genesis");
    const original = readFileSync(file);
    writeFileSync(file, `${original}; another chain\n`);
    try {
      const run = local("up", "--tree", tree, "--nodes", "node3", "--bin", FISCO_DOUBLE);
      assert.equal(run.code, 1);
      assert.match(run.stderr, /node3: config\.genesis \(sha256 [0-9a-f]{12}…\) is not the genesis of the chain the runner keeps/);
      assert.match(run.stderr, /local:down -- --tree .* --purge/);
    } finally {
      writeFileSync(file, original);
    }
    const start = local("up", "--tree", tree, "--nodes", "node3", "--bin", FISCO_DOUBLE);
    assert.equal(start.code, 0, start.stderr);
  });

  test("a node that exits at start is reported with the end of its console log; status says it exited", () => {
    assert.equal(local("stop", "--tree", tree, "--nodes", "node3", "--grace", "5").code, 0);
    // The double needs conf/node.nodeid (the real node reads conf/node.pem): without it, it dies at start.
    const nodeid = join(tree, "node3", "conf", "node.nodeid");
    const saved = readFileSync(nodeid);
    rmSync(nodeid);
    try {
      const run = local("up", "--tree", tree, "--nodes", "node3", "--bin", FISCO_DOUBLE, "--wait", "20");
      assert.equal(run.code, 1);
      assert.match(run.stderr, /node3: the process ended \(exit 1\) before [\d.]+:20200 opened; last lines of .*logs\/node3\.log:\n/);
      assert.match(run.stderr, /ENOENT/);
      const status = local("status", "--tree", tree);
      assert.equal(status.code, 1, "a node that died makes status exit 1");
      assert.match(status.stdout, /^node3\s+exited \(the process ended \(exit 1\)/m);
    } finally {
      writeFileSync(nodeid, saved);
    }
    const again = local("up", "--tree", tree, "--nodes", "node3", "--bin", FISCO_DOUBLE);
    assert.equal(again.code, 0, again.stderr);
  });

  test("add a node: the tree gains node4 and every nodes.json lists it; up --nodes node4 starts it and the others reload their peers (SIGUSR1)", async () => {
    cpSync(join(full, "node4"), join(tree, "node4"), { recursive: true });
    for (const n of [0, 1, 2, 3]) cpSync(join(full, `node${n}`, "nodes.json"), join(tree, `node${n}`, "nodes.json"));
    const run = local("up", "--tree", tree, "--nodes", "node4", "--bin", FISCO_DOUBLE);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /node4: started/);
    for (const node of ["node0", "node1", "node2", "node3"]) assert.match(run.stdout, new RegExp(`${node}: nodes.json changed: sent SIGUSR1 to fisco-bcos`));
    const s = state();
    assert.equal(ip("netns", "identify", String(pidOf("node4"))).trim(), s.nodes.node4.netns);
    for (const node of ["node0", "node1", "node2", "node3"]) {
      const got = inNamespace(s.nodes[node].netns!, "getent", "hosts", s.nodes.node4.host);
      assert.equal(got.stdout.split(/\s+/)[0], addressOf("node4"), `${node}'s hosts file (updated in place) resolves node4`);
      const reloaded = () => {
        const events = doubleEvents(workDir(tree, node));
        const signal = events.findIndex((e) => e.event === "signal" && e.signal === "SIGUSR1");
        return signal >= 0 && events.slice(signal).some((e) => e.event === "peer" && e.entry.includes("node4"));
      };
      assert.ok(await eventually(reloaded), `${node} got SIGUSR1, re-resolved nodes.json and connected to node4`);
    }
    const peers = () => (JSON.parse(local("status", "--tree", tree, "--json").stdout).nodes as { peers: number }[]).map((n) => n.peers);
    assert.ok(await eventually(() => peers().every((n) => n === 4), 10_000), `every node has 4 peers: ${peers()}`);
  });

  test("down removes every namespace, link, hosts file and process it created, and nothing else", () => {
    const pids = ["node0", "node1", "node2", "node3", "node4"].map(pidOf);
    const run = local("down", "--tree", tree, "--grace", "5");
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /removed 5 namespace\(s\), 6 link\(s\), 5 \/etc\/netns dir\(s\)/);
    assert.deepEqual(kernelSnapshot(), before_);
    for (const pid of pids) assert.equal(processRuns(pid), false, `pid ${pid} is gone`);
    assert.ok(existsSync(join(workDir(tree, "node0"), "data")), "data/ is kept (like the volume) unless --purge");
    const again = local("down", "--tree", tree, "--purge");
    assert.equal(again.code, 0, again.stderr);
    assert.equal(existsSync(join(tree, ".local-run")), false);
  });
});
