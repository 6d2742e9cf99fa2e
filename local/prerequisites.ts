import { spawnSync } from "node:child_process";
import { accessSync, constants, existsSync, readFileSync, statSync, statfsSync } from "node:fs";
import { delimiter, dirname, join, resolve } from "node:path";

/**
 * What the local chain runner needs before it touches anything: Linux, the right to create network namespaces (root,
 * or CAP_SYS_ADMIN and CAP_NET_ADMIN), iproute2's `ip` with `ip netns`, a writable /etc/netns, and for starting
 * nodes a fisco-bcos binary that answers `--version` and 1 GiB free for data/ (FISCO refuses less).
 */

/** One or more prerequisites are missing; `missing` names each one (the CLI exits 2). */
export class PrerequisiteError extends Error {
  constructor(readonly missing: readonly string[]) {
    super(`missing prerequisites:\n${missing.map((m) => `  - ${m}`).join("\n")}`);
  }
}

export interface PrerequisiteOptions {
  /** Path of the fisco-bcos binary to check (for commands that start nodes). */
  readonly bin?: string;
  /** Directory whose file system holds the nodes' data/ (checked for FISCO's 1 GiB floor when `bin` is given). */
  readonly dataDir?: string;
}

export interface FiscoBinary {
  /** Absolute path. */
  readonly path: string;
  /** What `--version` printed after "FISCO BCOS Version :", e.g. "3.16.4". */
  readonly version: string;
}

export interface Prerequisites {
  /** Absolute path of `ip`. */
  readonly ip: string;
  readonly binary?: FiscoBinary;
}

/** What the checks look at; tests replace parts of it. */
export interface System {
  readonly platform: NodeJS.Platform;
  readonly euid: number;
  /** Effective capability mask (/proc/self/status CapEff). */
  readonly capEff: bigint;
  readonly path: string;
}

const CAP_NET_ADMIN = 12n;
const CAP_SYS_ADMIN = 21n;
const VERSION_TIMEOUT_MS = 10_000;
/** FISCO v3.16.4 libinitializer/StorageInitializer.h: the node refuses to start with less free space. */
export const MIN_FREE_BYTES = 1024 ** 3;
const SBIN_DIRS = ["/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/bin", "/bin"];

/** This process's platform, effective uid, effective capabilities and PATH. */
export function currentSystem(): System {
  let capEff = 0n;
  try {
    const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync("/proc/self/status", "utf8"));
    if (m) capEff = BigInt(`0x${m[1]}`);
  } catch {
    // not Linux: reported by the platform check
  }
  return { platform: process.platform, euid: process.geteuid?.() ?? -1, capEff, path: process.env.PATH ?? "" };
}

const hasCap = (mask: bigint, cap: bigint): boolean => ((mask >> cap) & 1n) === 1n;

/**
 * Check everything at once. Returns the `ip` path and the binary's version; throws PrerequisiteError listing every
 * missing item (never a partial list).
 */
export function checkPrerequisites(options: PrerequisiteOptions, system: System = currentSystem()): Prerequisites {
  const missing: string[] = [];
  if (system.platform !== "linux") missing.push(`Linux (network namespaces): this is ${system.platform}`);
  missing.push(...privilegeProblems(system));
  const ip = findExecutable("ip", system.path);
  if (!ip) missing.push("iproute2's `ip` command (not on PATH nor in /usr/sbin, /sbin): install iproute2, e.g. apt-get install -y iproute2");
  else if (system.platform === "linux") missing.push(...netnsProblems(ip));
  const binary = options.bin === undefined ? undefined : checkBinary(options.bin, missing);
  if (options.bin !== undefined && options.dataDir) missing.push(...diskProblems(options.dataDir));
  if (missing.length > 0) throw new PrerequisiteError(missing);
  return { ip: ip!, ...(binary && { binary }) };
}

function privilegeProblems(system: System): string[] {
  if (system.euid === 0) return [];
  const lacking = [...(hasCap(system.capEff, CAP_SYS_ADMIN) ? [] : ["CAP_SYS_ADMIN"]), ...(hasCap(system.capEff, CAP_NET_ADMIN) ? [] : ["CAP_NET_ADMIN"])];
  const problems = lacking.length > 0 ? [`root, or ${lacking.join(" and ")} (to create network namespaces and links): run with sudo`] : [];
  const etc = existsSync("/etc/netns") ? "/etc/netns" : "/etc";
  if (!writable(etc)) problems.push(`write access to ${etc} (the per-namespace hosts files live in /etc/netns/<namespace>/): run as root`);
  return problems;
}

function netnsProblems(ip: string): string[] {
  const run = spawnSync(ip, ["netns", "list"], { encoding: "utf8", timeout: 10_000 });
  if (run.status === 0) return [];
  return [`a working \`ip netns\` (\`${ip} netns list\` failed: ${(run.stderr || run.error?.message || `exit ${run.status}`).trim()})`];
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Absolute path of `name` on PATH or in the usual sbin directories, or undefined. */
export function findExecutable(name: string, path: string): string | undefined {
  const dirs = [...path.split(delimiter).filter(Boolean), ...SBIN_DIRS];
  return dirs.map((d) => join(d, name)).find((p) => isExecutableFile(p));
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The binary exists, is executable and answers `--version` like fisco-bcos ("FISCO BCOS Version : x.y.z"). */
function checkBinary(bin: string, missing: string[]): FiscoBinary | undefined {
  const path = resolve(bin);
  if (!existsSync(path)) {
    missing.push(`the fisco-bcos binary: --bin ${bin} does not exist${existsSync(dirname(path)) ? "" : ` (nor does ${dirname(path)})`}`);
    return undefined;
  }
  if (!isExecutableFile(path)) {
    missing.push(`an executable fisco-bcos binary: --bin ${bin} is not an executable file (chmod +x?)`);
    return undefined;
  }
  const run = spawnSync(path, ["--version"], { encoding: "utf8", timeout: VERSION_TIMEOUT_MS });
  const version = /FISCO BCOS Version\s*:\s*(\S+)/.exec(run.stdout ?? "")?.[1];
  if (!version) {
    const said = `${run.stdout ?? ""}${run.stderr ?? ""}`.trim().split("\n")[0]?.slice(0, 120);
    const how = run.error ? run.error.message : `exit ${run.status}${said ? `, printed "${said}"` : ", printed nothing"}`;
    missing.push(
      `a fisco-bcos binary that answers --version ("FISCO BCOS Version : …"): \`${bin} --version\` did not within ${VERSION_TIMEOUT_MS / 1000} s (${how})`,
    );
    return undefined;
  }
  return { path, version };
}

function diskProblems(dir: string): string[] {
  try {
    const fs = statfsSync(dir);
    const free = fs.bavail * fs.bsize;
    if (free >= MIN_FREE_BYTES) return [];
    return [`1 GiB free for the nodes' data/ (FISCO refuses to start with less): ${dir} has ${(free / 1024 ** 2).toFixed(0)} MiB`];
  } catch (error) {
    return [`a readable file system at ${dir} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`];
  }
}
