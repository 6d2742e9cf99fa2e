import { existsSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { bridgeName, FIRST_NODE_SLOT, LAST_NODE_SLOT, netnsName, slotAddress, subnetCidr, treeId } from "./names";
import {
  chooseSubnet,
  ensureBridge,
  ensureNodeNetwork,
  hostsFileText,
  ipCommand,
  listLinks,
  listOwned,
  namespacePids,
  removeEtcNetnsIfEmpty,
  removeOwned,
  writeNamespaceFiles,
  type Ip,
} from "./network";
import { checkPrerequisites, type FiscoBinary } from "./prerequisites";
import { isRunning, signalNode, startNode, stopNode, waitForPort, type ProcessRef, type StartedNode } from "./process";
import { consoleLogPath, loadState, runDir, saveState, withLock, workDir, type NodeRecord, type RunState } from "./state";
import { collectStatus, formatStatus, nodeAddress, processState, rpcUrl, STOPPED_BY_RUNNER, web3Url, type NodeStatus } from "./status";
import { fileSha256, nonMemberNames, readTree, type LocalTree, type TreeNode } from "./tree";
import { prepareWorkDir } from "./workdir";

/**
 * The local chain runner's commands (up, stop, down, reload, status) over a synth tree. Each returns the process exit
 * code: 0 done, 1 failed (a node did not start, nodes already running, another chain's data). Missing prerequisites
 * (PrerequisiteError), an unreadable tree (TreeError) and unknown node names (RunnerUsageError) are thrown for the CLI
 * to turn into exit 2.
 */

export interface RunnerIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/** A node name given with --nodes that the tree does not have, and the like. */
export class RunnerUsageError extends Error {}

export interface UpOptions {
  readonly tree: string;
  readonly bin: string;
  /** Node names to start; all of the tree's nodes when undefined. */
  readonly nodes?: readonly string[];
  /** How long to wait for each node's RPC port to open, in milliseconds. */
  readonly waitMs: number;
}

export interface StopOptions {
  readonly tree: string;
  readonly nodes?: readonly string[];
  /** SIGTERM → SIGKILL delay, in milliseconds. */
  readonly graceMs: number;
}

export interface DownOptions {
  readonly tree: string;
  readonly graceMs: number;
  /** Also delete <tree>/.local-run (the nodes' data, logs and the state). */
  readonly purge: boolean;
}

const newState = (tree: string): RunState => ({ version: 1, tree, id: treeId(tree), nodes: {} });

/** Names from --nodes, checked against the tree; all nodes when none were given. */
function selectNodes(tree: LocalTree, names: readonly string[] | undefined): TreeNode[] {
  if (!names) return [...tree.nodes];
  const unknown = names.filter((n) => !tree.nodes.some((t) => t.name === n));
  if (unknown.length > 0) throw new RunnerUsageError(`--nodes: ${unknown.join(", ")} not in ${tree.root} (it has ${tree.nodes.map((n) => n.name).join(", ")})`);
  return tree.nodes.filter((n) => names.includes(n.name));
}

/** Forget processes that are gone (recording that they exited), so the state says what really runs. */
function refreshProcesses(state: RunState): void {
  for (const record of Object.values(state.nodes)) {
    if (record.pid !== undefined && !isRunning(ref(record))) {
      record.lastExit = "exited (found gone)";
      delete record.pid;
      delete record.startTime;
    }
  }
}

const ref = (record: NodeRecord): ProcessRef => ({ pid: record.pid!, startTime: record.startTime ?? 0 });

/**
 * Give every tree node a slot (the lowest free one), so that every peer name resolves from the first start; a known
 * node keeps its slot and takes its peer name from the tree as it is now.
 */
function allocateSlots(tree: LocalTree, state: RunState): void {
  const used = new Set(Object.values(state.nodes).map((r) => r.slot));
  for (const node of tree.nodes) {
    const known = state.nodes[node.name];
    if (known) {
      known.host = node.host;
      continue;
    }
    let slot = FIRST_NODE_SLOT;
    while (used.has(slot)) slot++;
    if (slot > LAST_NODE_SLOT) throw new RunnerUsageError(`too many nodes for one /24: at most ${LAST_NODE_SLOT - FIRST_NODE_SLOT + 1}`);
    used.add(slot);
    state.nodes[node.name] = { slot, host: node.host };
  }
}

/** The genesis of every node to start must be the one whose chain the runner already keeps for this tree. */
function identityProblem(state: RunState, nodes: readonly TreeNode[], tree: LocalTree): string | undefined {
  const genesis = new Set(nodes.map((n) => n.genesisSha256));
  if (genesis.size > 1)
    return `the nodes to start have different config.genesis files (${nodes.map((n) => `${n.name} ${n.genesisSha256.slice(0, 12)}`).join(", ")})`;
  const wanted = nodes[0].genesisSha256;
  if (!state.genesisSha256 || state.genesisSha256 === wanted) return undefined;
  return [
    `${nodes.map((n) => n.name).join(", ")}: config.genesis (sha256 ${wanted.slice(0, 12)}…) is not the genesis of the chain the runner keeps for this tree (${state.genesisSha256.slice(0, 12)}…, in ${runDir(tree.root)}).`,
    "synth renders a new chain (CA, keys, genesis) on every run unless it is given the --state file of the first render, so this tree is another chain and cannot join the old one.",
    `To grow a chain, render it with --state <file> from the first time on; to start afresh: npm run local:down -- --tree ${tree.root} --purge`,
  ].join("\n");
}

/** Rewrite the hosts file of every namespace that exists: every known node's address and peer name. */
function writeAllHosts(state: RunState): void {
  const entries = Object.values(state.nodes)
    .sort((a, b) => a.slot - b.slot)
    .map((r) => ({ address: nodeAddress(state, r)!, host: r.host }));
  const text = hostsFileText(state.tree, entries);
  for (const record of Object.values(state.nodes)) if (record.netns && writeNamespaceFiles(record.netns, text)) state.createdEtcNetns = true;
  saveState(state);
}

/** Bridge (subnet kept from the last run when still free), then a namespace per node to start. */
function ensureNetwork(ip: Ip, state: RunState, nodes: readonly TreeNode[]): void {
  // The bridge's own address makes its /24 look taken: keep the subnet while the bridge exists.
  const bridgeUp = state.subnet !== undefined && listLinks(ip).includes(bridgeName(state.id));
  if (!bridgeUp) state.subnet = chooseSubnet(ip, state.id, state.subnet);
  state.bridge = ensureBridge(ip, state.id, state.subnet!);
  saveState(state);
  for (const node of nodes) {
    const record = state.nodes[node.name];
    const net = ensureNodeNetwork(ip, state.id, state.subnet!, record.slot, netnsName(state.id, node.name));
    record.netns = net.netns;
    record.hostVeth = net.hostVeth;
    saveState(state);
  }
  writeAllHosts(state);
}

function launch(ipPath: string, state: RunState, node: TreeNode, binary: FiscoBinary): StartedNode {
  const record = state.nodes[node.name];
  const cwd = workDir(state.tree, node.name);
  prepareWorkDir(cwd, node);
  const started = startNode({ ip: ipPath, netns: record.netns!, bin: binary.path, cwd, consoleLog: consoleLogPath(state.tree, node.name) });
  Object.assign(record, {
    pid: started.pid,
    startTime: started.startTime,
    startedAt: new Date().toISOString(),
    nodesJsonSha256: fileSha256(join(node.dir, "nodes.json")),
  });
  delete record.lastExit;
  state.genesisSha256 = node.genesisSha256;
  state.binary = binary;
  saveState(state);
  return started;
}

/** Last lines of a node's console log (what it said before it died). */
function logTail(tree: string, node: string, lines = 12): string {
  try {
    return readFileSync(consoleLogPath(tree, node), "utf8")
      .trimEnd()
      .split("\n")
      .slice(-lines)
      .map((l) => `    ${l}`)
      .join("\n");
  } catch {
    return "    (no console log)";
  }
}

/**
 * What the chart's peer-reload sidecar does when a node's nodes.json changes: SIGUSR1 to fisco-bcos, which re-reads
 * it and re-resolves the names. Here it runs for every running node except `except` whose nodes.json differs from the
 * one it last loaded, or for every running node in `only` when `force`.
 */
function reloadPeers(
  state: RunState,
  tree: LocalTree,
  io: RunnerIo,
  options: { except?: readonly string[]; only?: readonly string[]; force?: boolean },
): string[] {
  const sent: string[] = [];
  for (const node of tree.nodes) {
    const record = state.nodes[node.name];
    if (!record?.pid || options.except?.includes(node.name) || (options.only && !options.only.includes(node.name))) continue;
    const digest = fileSha256(join(node.dir, "nodes.json"));
    if (!options.force && digest === record.nodesJsonSha256) continue;
    if (signalNode(ref(record), "SIGUSR1")) {
      record.nodesJsonSha256 = digest;
      sent.push(node.name);
      io.out(`${node.name}: ${options.force ? "peer reload" : "nodes.json changed"}: sent SIGUSR1 to fisco-bcos (pid ${record.pid})`);
    }
  }
  saveState(state);
  return sent;
}

/** The addresses of the started nodes, and how to verify the chain from the host. */
function printSummary(tree: LocalTree, state: RunState, names: readonly string[], io: RunnerIo): void {
  const started = tree.nodes.filter((n) => names.includes(n.name));
  for (const node of started) {
    const address = nodeAddress(state, state.nodes[node.name])!;
    const web3 = web3Url(node, address);
    io.out(`${node.name}: ${address} (${node.host})  rpc ${rpcUrl(node, address)}${web3 ? `  web3 ${web3}` : ""}  log ${consoleLogPath(tree.root, node.name)}`);
  }
  const running = tree.nodes.filter((n) => processState(state.nodes[n.name]) === "running");
  if (running.length === 0 || !tree.sdk) return;
  const outside = nonMemberNames(tree.root);
  const urls = (nodes: typeof running) => nodes.map((n) => rpcUrl(n, nodeAddress(state, state.nodes[n.name])!)).join(",");
  const [members, others] = [running.filter((n) => !outside.has(n.name)), running.filter((n) => outside.has(n.name))];
  const nonMembers = others.length > 0 ? ` --non-members ${urls(others)}` : "";
  const sdkDir = dirname(tree.sdk.ca);
  io.out(`verify from this host: npm run verify -- --sdk-dir ${sdkDir} --rpc ${urls(members)}${nonMembers}`);
  // sdk/ names the nodes by their Service DNS names, which resolve inside the nodes' namespaces (as in the cluster).
  const inside = members.map((n) => state.nodes[n.name].netns).find(Boolean);
  if (inside) io.out(`or with sdk/ unchanged, from inside the chain's network: ip netns exec ${inside} npm run verify -- --sdk-dir ${sdkDir}`);
}

/**
 * `local:up`: start the chosen nodes (all by default) of the tree, each in its own namespace, and wait for their RPC
 * ports. Refuses (1) when one of them already runs or when the tree is another chain than the one whose data the
 * runner keeps. After starting, running nodes whose nodes.json changed get SIGUSR1 (the chart's peer reload).
 */
export async function up(options: UpOptions, io: RunnerIo): Promise<number> {
  const prerequisites = checkPrerequisites({ bin: options.bin, dataDir: existsSync(options.tree) ? options.tree : undefined });
  const tree = readTree(options.tree);
  const nodes = selectNodes(tree, options.nodes);
  if (tree.version && tree.version !== prerequisites.binary!.version) {
    io.err(`warning: the tree was rendered for FISCO BCOS ${tree.version}; ${options.bin} is ${prerequisites.binary!.version}`);
  }
  return withLock(tree.root, async () => {
    const state = loadState(tree.root) ?? newState(tree.root);
    refreshProcesses(state);
    const running = nodes.filter((n) => processState(state.nodes[n.name]) === "running");
    if (running.length > 0) {
      io.err(
        `already running for ${tree.root}: ${running.map((n) => `${n.name} (pid ${state.nodes[n.name].pid})`).join(", ")}; see npm run local:status -- --tree ${tree.root}; stop them first (local:stop, local:down)`,
      );
      return 1;
    }
    const problem = identityProblem(state, nodes, tree);
    if (problem) {
      io.err(problem);
      return 1;
    }
    allocateSlots(tree, state);
    const ip = ipCommand(prerequisites.ip);
    ensureNetwork(ip, state, nodes);
    io.out(`network: bridge ${state.bridge} ${subnetCidr(state.subnet!)}, this host at ${slotAddress(state.subnet!, 1)}`);
    const launched = nodes.map((node) => ({ node, started: launch(prerequisites.ip, state, node, prerequisites.binary!) }));
    const failures = await waitAll(state, launched, options.waitMs, io);
    reloadPeers(state, tree, io, { except: nodes.map((n) => n.name) });
    printSummary(
      tree,
      state,
      nodes.map((n) => n.name).filter((n) => !failures.includes(n)),
      io,
    );
    if (failures.length > 0) io.err(`not started: ${failures.join(", ")} (npm run local:down -- --tree ${tree.root} removes everything)`);
    return failures.length > 0 ? 1 : 0;
  });
}

/** Wait for every launched node's RPC port; returns the names that did not come up (after printing why). */
async function waitAll(state: RunState, launched: readonly { node: TreeNode; started: StartedNode }[], waitMs: number, io: RunnerIo): Promise<string[]> {
  const results = await Promise.all(
    launched.map(async ({ node, started }) => {
      const address = nodeAddress(state, state.nodes[node.name])!;
      try {
        await waitForPort(started, address, node.ports.rpc, waitMs);
        io.out(`${node.name}: started (pid ${started.pid}), RPC port ${address}:${node.ports.rpc} open`);
        return undefined;
      } catch (error) {
        const record = state.nodes[node.name];
        record.lastExit = (error as Error).message;
        if (!isRunning(started)) delete record.pid;
        io.err(`${node.name}: ${(error as Error).message}; last lines of ${consoleLogPath(state.tree, node.name)}:\n${logTail(state.tree, node.name)}`);
        return node.name;
      }
    }),
  );
  saveState(state);
  return results.filter((n): n is string => n !== undefined);
}

function nothingRuns(root: string, io: RunnerIo): number {
  io.out(`nothing runs for ${root}`);
  return 0;
}

/** `local:stop`: stop the chosen nodes (all by default), keeping their namespaces, addresses and data. */
export async function stop(options: StopOptions, io: RunnerIo): Promise<number> {
  checkPrerequisites({});
  const tree = readTree(options.tree);
  const nodes = selectNodes(tree, options.nodes);
  // A tree that never ran: nothing to lock, and no .local-run/ to create (it would hold up a later synth --force).
  if (!existsSync(runDir(tree.root))) return nothingRuns(tree.root, io);
  return withLock(tree.root, async () => {
    const state = loadState(tree.root);
    if (!state) {
      return nothingRuns(tree.root, io);
    }
    refreshProcesses(state);
    await Promise.all(
      nodes.map(async (node) => {
        const record = state.nodes[node.name];
        if (record?.pid === undefined) return io.out(`${node.name}: not running`);
        const how = await stopNode(ref(record), options.graceMs);
        delete record.pid;
        delete record.startTime;
        record.lastExit = `${STOPPED_BY_RUNNER} local:stop (${how})`;
        io.out(`${node.name}: ${how}`);
      }),
    );
    saveState(state);
    return 0;
  });
}

/** `local:reload`: refresh every namespace's hosts file, then SIGUSR1 to the chosen running nodes (peer reload). */
export async function reload(options: { tree: string; nodes?: readonly string[] }, io: RunnerIo): Promise<number> {
  checkPrerequisites({});
  const tree = readTree(options.tree);
  const nodes = selectNodes(tree, options.nodes);
  // A tree that never ran: nothing to lock, and no .local-run/ to create (it would hold up a later synth --force).
  if (!existsSync(runDir(tree.root))) return nothingRuns(tree.root, io);
  return withLock(tree.root, async () => {
    const state = loadState(tree.root);
    if (!state?.subnet) {
      return nothingRuns(tree.root, io);
    }
    refreshProcesses(state);
    allocateSlots(tree, state);
    writeAllHosts(state);
    const sent = reloadPeers(state, tree, io, { only: nodes.map((n) => n.name), force: true });
    if (sent.length === 0) io.out("no running node to signal");
    return 0;
  });
}

/**
 * `local:down`: stop every process in the tree's namespaces, then delete the namespaces, veth pairs, bridge and
 * /etc/netns files whose names carry the tree's id. Keeps <tree>/.local-run (data, logs) unless `purge`.
 */
export async function down(options: DownOptions, io: RunnerIo): Promise<number> {
  const prerequisites = checkPrerequisites({});
  const root = existsSync(options.tree) ? realpathSync(options.tree) : resolve(options.tree);
  const ip = ipCommand(prerequisites.ip);
  const body = async () => {
    const state = loadState(root) ?? newState(root);
    await stopEverything(ip, state, options.graceMs, io);
    const removed = removeOwned(ip, state.id);
    io.out(`removed ${removed.namespaces.length} namespace(s), ${removed.links.length} link(s), ${removed.etcDirs.length} /etc/netns dir(s) of ${state.id}`);
    if (state.createdEtcNetns && removeEtcNetnsIfEmpty()) io.out("removed /etc/netns (empty; the runner made it)");
    delete state.createdEtcNetns;
    forgetNetwork(state);
    if (options.purge) {
      rmSync(runDir(root), { recursive: true, force: true });
      io.out(`removed ${runDir(root)}`);
    } else if (existsSync(runDir(root))) {
      saveState(state);
      io.out(`kept ${runDir(root)} (data and logs; --purge removes it)`);
    }
    return 0;
  };
  return existsSync(runDir(root)) ? withLock(root, body) : body();
}

/** SIGTERM (then SIGKILL) to the recorded node processes and to anything else inside the tree's namespaces. */
async function stopEverything(ip: Ip, state: RunState, graceMs: number, io: RunnerIo): Promise<void> {
  refreshProcesses(state);
  const stops = Object.entries(state.nodes)
    .filter(([, r]) => r.pid !== undefined)
    .map(async ([name, r]) => io.out(`${name}: ${await stopNode(ref(r), graceMs)}`));
  await Promise.all(stops);
  for (const ns of listOwned(ip, state.id).namespaces) {
    const strays = namespacePids(ip, ns).map((pid) => ({ pid, startTime: 0 }));
    await Promise.all(strays.map(async (p) => io.out(`${ns}: pid ${p.pid} ${await stopNode(p, graceMs)}`)));
  }
}

function forgetNetwork(state: RunState): void {
  delete state.subnet;
  delete state.bridge;
  for (const record of Object.values(state.nodes)) {
    delete record.netns;
    delete record.hostVeth;
    if (record.pid !== undefined) record.lastExit = `${STOPPED_BY_RUNNER} local:down`;
    delete record.pid;
    delete record.startTime;
  }
}

/** `local:status`: text (or the NodeStatus list as JSON). Exit 1 when a node the runner started has died. */
export async function status(options: { tree: string; json: boolean; timeoutMs: number }, io: RunnerIo): Promise<number> {
  const tree = readTree(options.tree);
  const state = loadState(tree.root);
  if (!state) {
    io.out(
      options.json
        ? JSON.stringify({ tree: tree.root, nodes: [] })
        : `${tree.root}: not run by the local runner (npm run local:up -- --tree ${options.tree} --bin <fisco-bcos>)`,
    );
    return 0;
  }
  const statuses: NodeStatus[] = await collectStatus(tree, state, options.timeoutMs);
  io.out(
    options.json
      ? JSON.stringify({ tree: tree.root, id: state.id, subnet: state.subnet && subnetCidr(state.subnet), binary: state.binary, nodes: statuses }, null, 2)
      : formatStatus(tree, state, statuses),
  );
  return statuses.some((s) => s.process === "exited") ? 1 : 0;
}
