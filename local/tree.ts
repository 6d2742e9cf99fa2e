import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, realpathSync, statSync } from "node:fs";
import { join } from "node:path";
import { load } from "js-yaml";
import { parseIni, type Ini } from "../chain/ini";

/**
 * Reading a tree written by `npm run synth` (or any build_chain-style tree whose peers are DNS names): which nodes it
 * has, the peer name each one is known by in nodes.json, and the ports each config.ini opens. Nothing is changed.
 */

/** The tree is not something the runner can run; the message names the file and what is wrong. */
export class TreeError extends Error {}

/** The files a node directory holds, as synth writes them (the chart mounts the same set). */
export const NODE_FILES = ["config.ini", "config.genesis", "nodes.json", "conf"] as const;

export interface NodePorts {
  readonly p2p: number;
  readonly rpc: number;
  /** Only when `[web3_rpc] enable=true`. */
  readonly web3?: number;
}

export interface TreeNode {
  /** Directory name, e.g. node0. */
  readonly name: string;
  /** Absolute path of <tree>/<name>. */
  readonly dir: string;
  /** The DNS name peers use for it in nodes.json, e.g. fisco-node0.fisco-dev.svc.cluster.local. */
  readonly host: string;
  readonly ports: NodePorts;
  /** `[rpc] enable_ssl`: true means mutual TLS on the RPC port (https), false plain http. */
  readonly rpcTls: boolean;
  /** sha256 hex of its config.genesis. */
  readonly genesisSha256: string;
}

export interface SdkFiles {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

export interface LocalTree {
  /** Absolute, symlinks resolved. */
  readonly root: string;
  /** Sorted by name. */
  readonly nodes: readonly TreeNode[];
  /** `[chain] group_id` of the genesis (group0). */
  readonly groupId: string;
  /** Paths of sdk/ca.crt, sdk.crt, sdk.key when all three exist (for status over the native RPC). */
  readonly sdk?: SdkFiles;
  /** FISCO version the tree was rendered for (the node StatefulSets' image tag without "v"), when manifests/ has it. */
  readonly version?: string;
}

const sha256 = (text: string | Buffer): string => createHash("sha256").update(text).digest("hex");

/** sha256 hex of a file's bytes. Throws the fs error when it cannot be read. */
export const fileSha256 = (path: string): string => sha256(readFileSync(path));

/**
 * Read a synth tree. Throws TreeError naming every problem found: no node directories, a node directory missing one
 * of config.ini / config.genesis / nodes.json / conf/, unreadable ports, or a nodes.json peer that is no node of this
 * tree (the runner can only make the tree's own nodes resolve).
 */
export function readTree(dir: string): LocalTree {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new TreeError(`${dir} is not a directory (render one with: npm run synth -- --stack dev --out ${dir})`);
  const root = realpathSync(dir);
  const names = readdirSync(root, { withFileTypes: true })
    // A node directory has a config.genesis (sdk/ has a config.ini too: the Go SDK's).
    .filter((e) => e.isDirectory() && existsSync(join(root, e.name, "config.genesis")))
    .map((e) => e.name)
    .sort();
  if (names.length === 0) throw new TreeError(`${root} has no node directories (<node>/config.genesis); is it the --out of npm run synth?`);
  const problems: string[] = [];
  for (const name of names) {
    for (const file of NODE_FILES) if (!existsSync(join(root, name, file))) problems.push(`${name}/${file} is missing`);
  }
  if (problems.length > 0) throw new TreeError(`${root}: ${problems.join("; ")}`);
  const hosts = peerHosts(root, names);
  const nodes = names.map((name) => readNode(root, name, hosts.get(name)));
  checkPeers(root, nodes);
  return { root, nodes, groupId: groupIdOf(nodes[0]), sdk: sdkFiles(root), version: renderedVersion(root) };
}

function readIni(path: string): Ini {
  try {
    return parseIni(readFileSync(path, "utf8"));
  } catch (error) {
    throw new TreeError(`${path}: ${(error as Error).message}`);
  }
}

function port(ini: Ini, section: string, path: string): number {
  const value = Number(ini.get(section)?.get("listen_port"));
  if (!Number.isInteger(value) || value < 1 || value > 65535) throw new TreeError(`${path}: [${section}] listen_port is not a port number`);
  return value;
}

function readNode(root: string, name: string, host: string | undefined): TreeNode {
  const dir = join(root, name);
  const iniPath = join(dir, "config.ini");
  const ini = readIni(iniPath);
  const web3 = ini.get("web3_rpc")?.get("enable") === "true" ? port(ini, "web3_rpc", iniPath) : undefined;
  if (!host)
    throw new TreeError(
      `${name}: no peer name for it in sdk/endpoints.json or nodes.json (expected an entry like <chain>-${name}.<namespace>.svc.<domain>:<p2p port>)`,
    );
  return {
    name,
    dir,
    host,
    ports: { p2p: port(ini, "p2p", iniPath), rpc: port(ini, "rpc", iniPath), ...(web3 !== undefined && { web3 }) },
    rpcTls: ini.get("rpc")?.get("enable_ssl") !== "false",
    genesisSha256: fileSha256(join(dir, "config.genesis")),
  };
}

/** host:port entries of a nodes.json. */
export function readPeers(path: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new TreeError(`${path}: not JSON (${(error as Error).message})`);
  }
  const nodes = (parsed as { nodes?: unknown })?.nodes;
  if (!Array.isArray(nodes) || !nodes.every((n) => typeof n === "string")) throw new TreeError(`${path}: expected {"nodes": ["host:port", …]}`);
  return nodes;
}

/** Split "host:port" (IPv6 in brackets allowed). */
export function splitHostPort(entry: string): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(entry.trim());
  if (!m) throw new TreeError(`peer "${entry}" is not host:port`);
  return { host: m[1], port: Number(m[2]) };
}

/**
 * The nodes sdk/endpoints.json lists under rpc.nonMembers: declared, but outside the group's sealer and observer sets
 * when the tree was rendered (they sync as free nodes and take no transactions). Empty without endpoints.json.
 */
export function nonMemberNames(root: string): Set<string> {
  try {
    return new Set(Object.keys(JSON.parse(readFileSync(join(root, "sdk", "endpoints.json"), "utf8"))?.rpc?.nonMembers ?? {}));
  } catch {
    return new Set();
  }
}

/**
 * Node name → peer DNS name. sdk/endpoints.json (written by synth) maps each node to its Service URL; failing that, a
 * nodes.json host whose first label is the node name or ends with "-<node name>" (the chart's <chain>-<node>).
 */
function peerHosts(root: string, names: readonly string[]): Map<string, string> {
  const hosts = new Map<string, string>();
  const endpoints = join(root, "sdk", "endpoints.json");
  if (existsSync(endpoints)) {
    try {
      // Group members under rpc.nodes; nodes outside the genesis (observers still to be added) under rpc.nonMembers.
      const rpc = JSON.parse(readFileSync(endpoints, "utf8"))?.rpc ?? {};
      for (const [name, url] of Object.entries({ ...rpc.nonMembers, ...rpc.nodes }))
        if (names.includes(name) && typeof url === "string") hosts.set(name, new URL(url).hostname);
    } catch {
      // fall back to nodes.json below
    }
  }
  const entries = new Set(names.flatMap((n) => readPeers(join(root, n, "nodes.json"))).map((e) => splitHostPort(e).host));
  for (const name of names) {
    if (hosts.has(name)) continue;
    const match = [...entries].filter((h) => {
      const label = h.split(".")[0];
      return label === name || label.endsWith(`-${name}`);
    });
    if (match.length === 1) hosts.set(name, match[0]);
  }
  return hosts;
}

/** Every peer in every nodes.json must be a node of this tree, at that node's P2P port. */
function checkPeers(root: string, nodes: readonly TreeNode[]): void {
  const byHost = new Map(nodes.map((n) => [n.host, n]));
  const problems = new Set<string>();
  for (const node of nodes) {
    for (const entry of readPeers(join(node.dir, "nodes.json"))) {
      const { host, port: p } = splitHostPort(entry);
      const target = byHost.get(host);
      if (!target) problems.add(`${node.name}/nodes.json names ${entry}, which is no node of this tree (FISCO exits when a peer name does not resolve)`);
      else if (target.ports.p2p !== p) problems.add(`${node.name}/nodes.json names ${entry}, but ${target.name} listens for P2P on ${target.ports.p2p}`);
    }
  }
  if (problems.size > 0) throw new TreeError(`${root}: ${[...problems].join("; ")}`);
}

function groupIdOf(node: TreeNode): string {
  const genesis = readIni(join(node.dir, "config.genesis"));
  return genesis.get("chain")?.get("group_id") ?? "group0";
}

function sdkFiles(root: string): SdkFiles | undefined {
  const files = { ca: join(root, "sdk", "ca.crt"), cert: join(root, "sdk", "sdk.crt"), key: join(root, "sdk", "sdk.key") };
  return Object.values(files).every((f) => existsSync(f)) ? files : undefined;
}

/** The tag of the fisco-bcos container's image in manifests/statefulset-*.yaml, without "v" (e.g. "3.16.4"). */
function renderedVersion(root: string): string | undefined {
  const manifests = join(root, "manifests");
  if (!existsSync(manifests)) return undefined;
  const file = readdirSync(manifests).find((f) => f.startsWith("statefulset-"));
  if (!file) return undefined;
  try {
    const sts = load(readFileSync(join(manifests, file), "utf8")) as { spec?: { template?: { spec?: { containers?: { name?: string; image?: string }[] } } } };
    const image = sts.spec?.template?.spec?.containers?.find((c) => c.name === "fisco-bcos")?.image ?? "";
    return /:v?([0-9][^:@]*)$/.exec(image)?.[1];
  } catch {
    return undefined;
  }
}
