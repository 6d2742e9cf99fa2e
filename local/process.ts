import { spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from "node:fs";
import { connect } from "node:net";
import { dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { NODE_ARGS } from "./workdir";

/**
 * Node processes: start `fisco-bcos -c config.ini -g config.genesis` inside a namespace with `ip netns exec` (which
 * execs the command, so the PID we get is fisco-bcos itself and signals reach it directly), detached from the runner,
 * stdout and stderr appended to a log file; then tell whether it still runs, signal it, stop it.
 * A PID is only trusted together with its start time (/proc/<pid>/stat field 22), so a reused PID is never signalled.
 */

export interface StartSpec {
  /** Absolute path of `ip`. */
  readonly ip: string;
  readonly netns: string;
  /** Absolute path of the fisco-bcos binary. */
  readonly bin: string;
  /** The node's working directory. */
  readonly cwd: string;
  /** File that receives stdout and stderr (appended). */
  readonly consoleLog: string;
}

export interface ProcessRef {
  readonly pid: number;
  /** Clock ticks after boot when the process started. */
  readonly startTime: number;
}

export interface StartedNode extends ProcessRef {
  /** Resolves with "exit <code>" or "signal <name>" if the process ends while this runner still runs. */
  readonly exited: Promise<string>;
}

/** The environment of the node process: what a container would have, not the runner's npm variables. */
function nodeEnv(): NodeJS.ProcessEnv {
  const keep = ["PATH", "HOME", "LANG", "LC_ALL", "TZ"];
  return Object.fromEntries(keep.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]]));
}

/** Start the node process. Throws when the process cannot be spawned. */
export function startNode(spec: StartSpec): StartedNode {
  mkdirSync(dirname(spec.consoleLog), { recursive: true });
  const fd = openSync(spec.consoleLog, "a");
  writeSync(fd, `--- ${new Date().toISOString()} local runner: ip netns exec ${spec.netns} ${spec.bin} ${NODE_ARGS.join(" ")} (in ${spec.cwd})\n`);
  try {
    const child = spawn(spec.ip, ["netns", "exec", spec.netns, spec.bin, ...NODE_ARGS], {
      cwd: spec.cwd,
      detached: true,
      stdio: ["ignore", fd, fd],
      env: nodeEnv(),
    });
    const exited = new Promise<string>((resolve) => {
      child.once("exit", (code, signal) => resolve(signal ? `signal ${signal}` : `exit ${code}`));
      child.once("error", (error) => resolve(`failed to start: ${error.message}`));
    });
    if (child.pid === undefined) throw new Error(`could not start ${spec.bin} in ${spec.netns}`);
    child.unref();
    return { pid: child.pid, startTime: readStartTime(child.pid) ?? 0, exited };
  } finally {
    closeSync(fd);
  }
}

/** Process state letter and start time from /proc/<pid>/stat, or undefined when there is no such process. */
function readStat(pid: number): { state: string; startTime: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { state: fields[0], startTime: Number(fields[19]) };
  } catch {
    return undefined;
  }
}

export const readStartTime = (pid: number): number | undefined => readStat(pid)?.startTime;

/** True when the process runs (not a zombie) and is the one that started at `startTime`. */
export function isRunning(ref: ProcessRef): boolean {
  const stat = readStat(ref.pid);
  return stat !== undefined && stat.state !== "Z" && stat.state !== "X" && (ref.startTime === 0 || stat.startTime === ref.startTime);
}

/** Send `signal` if the process is still the one we started. Returns whether it was sent. */
export function signalNode(ref: ProcessRef, signal: NodeJS.Signals): boolean {
  if (!isRunning(ref)) return false;
  try {
    process.kill(ref.pid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * SIGTERM, then SIGKILL after `graceMs` (the pod's terminationGracePeriodSeconds is 60 s). Resolves with how it
 * ended: "stopped" (exited on SIGTERM), "killed", or "not running".
 */
export async function stopNode(ref: ProcessRef, graceMs: number): Promise<"stopped" | "killed" | "not running"> {
  if (!signalNode(ref, "SIGTERM")) return "not running";
  if (await waitGone(ref, graceMs)) return "stopped";
  signalNode(ref, "SIGKILL");
  await waitGone(ref, 5_000);
  return "killed";
}

async function waitGone(ref: ProcessRef, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!isRunning(ref)) return true;
    await sleep(100);
  }
  return !isRunning(ref);
}

/** One TCP connection attempt; resolves true when it is accepted within `timeoutMs`. */
export function tcpOpen(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/**
 * Wait until `host:port` accepts TCP (the chart's startup probe is a TCP check on the RPC port). Throws when the
 * process ends first (with how it ended) or after `timeoutMs`.
 */
export async function waitForPort(ref: StartedNode, host: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let ended: string | undefined;
  void ref.exited.then((how) => (ended = how));
  while (Date.now() < deadline) {
    if (await tcpOpen(host, port, 1_000)) return;
    if (ended || !isRunning(ref)) {
      // The process can be gone before its exit event is delivered: give the event a moment, to say how it ended.
      const how = ended ?? (await Promise.race([ref.exited, sleep(2_000).then(() => undefined)]));
      throw new Error(`the process ended (${how ?? "gone"}) before ${host}:${port} opened`);
    }
    await sleep(200);
  }
  throw new Error(`${host}:${port} did not open within ${(timeoutMs / 1000).toFixed(0)} s`);
}
