import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { FiscoBinary } from "./prerequisites";
import type { Subnet } from "./names";

/**
 * The runner's record of what it created for one tree, in <tree>/.local-run/state.json, and a lock so that two
 * runner commands never change the same tree at once. Paths of the run directory live here too:
 *
 *   <tree>/.local-run/state.json        this record
 *   <tree>/.local-run/<node>/           the node's working directory, laid out as the pod's /data (see workdir.ts)
 *   <tree>/.local-run/logs/<node>.log   the node's stdout and stderr (what `kubectl logs` shows)
 */

export const RUN_DIR = ".local-run";

export const runDir = (tree: string): string => join(tree, RUN_DIR);
export const statePath = (tree: string): string => join(runDir(tree), "state.json");
export const workDir = (tree: string, node: string): string => join(runDir(tree), node);
export const consoleLogPath = (tree: string, node: string): string => join(runDir(tree), "logs", `${node}.log`);

export interface NodeRecord {
  /** Host number in the subnet (2…254; address = subnet.slot while the network is up); kept while the tree is known. */
  readonly slot: number;
  /** Peer DNS name that resolves to the node's address in every namespace. */
  host: string;
  /** Set while its namespace and veth pair exist. */
  netns?: string;
  hostVeth?: string;
  /** Set while the runner believes it runs; `startTime` (clock ticks after boot, /proc/<pid>/stat) guards PID reuse. */
  pid?: number;
  startTime?: number;
  /** ISO time of the last start. */
  startedAt?: string;
  /** sha256 of the nodes.json the process last loaded (at start or SIGUSR1): what the peer-reload sidecar compares. */
  nodesJsonSha256?: string;
  /** Exit status seen the last time the runner found the process gone, e.g. "exit 255" or "signal SIGKILL". */
  lastExit?: string;
}

export interface RunState {
  readonly version: 1;
  /** Absolute tree path. */
  readonly tree: string;
  /** Per-tree id, prefix of every kernel object name (names.ts). */
  readonly id: string;
  /** While the bridge exists: its subnet and name. */
  subnet?: Subnet;
  bridge?: string;
  /** The runner created /etc/netns (so local:down removes it when it is left empty). */
  createdEtcNetns?: boolean;
  /** The binary the nodes were last started with. */
  binary?: FiscoBinary;
  /** sha256 of the config.genesis whose chain the nodes' data/ directories hold. */
  genesisSha256?: string;
  nodes: Record<string, NodeRecord>;
}

/** The state of a tree, or undefined when the runner has never run it (or `local:down --purge` removed it). */
export function loadState(tree: string): RunState | undefined {
  const path = statePath(tree);
  if (!existsSync(path)) return undefined;
  const state = JSON.parse(readFileSync(path, "utf8")) as RunState;
  if (state.version !== 1) throw new Error(`${path}: unknown state version ${String(state.version)}`);
  return state;
}

/** Write the state atomically (write a temporary file, then rename). */
export function saveState(state: RunState): void {
  const path = statePath(state.tree);
  mkdirSync(runDir(state.tree), { recursive: true });
  writeFileSync(`${path}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
}

/** Another runner command holds the tree's lock. */
export class LockedError extends Error {}

/**
 * Run `body` holding <tree>/.local-run/lock (created exclusively, holding our pid). A lock whose pid is gone is stale
 * and taken over. Throws LockedError when a live process holds it.
 */
export async function withLock<T>(tree: string, body: () => Promise<T>): Promise<T> {
  mkdirSync(runDir(tree), { recursive: true });
  const lock = join(runDir(tree), "lock");
  acquire(lock);
  try {
    return await body();
  } finally {
    rmSync(lock, { force: true });
  }
}

function acquire(lock: string): void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lock, "wx");
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = Number(readFileSync(lock, "utf8").trim());
      if (Number.isInteger(holder) && holder > 0 && pidExists(holder))
        throw new LockedError(`another local runner command (pid ${holder}) is working on this tree; try again when it is done`);
      rmSync(lock, { force: true });
    }
  }
  throw new LockedError(`could not take ${lock}`);
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
