// Helpers for test/local-runner.test.ts: run the local runner's CLI, look at the kernel objects and processes it
// made, read what the fisco-bcos test double recorded, and clean up whatever a failed test left behind.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PROJECT_ROOT } from "./shell";

/** The stand-in for the fisco-bcos binary (an executable script, named as a double). */
export const FISCO_DOUBLE = join(PROJECT_ROOT, "doubles", "fisco-bcos-double.mjs");

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `npm run local:<command> -- <args>`, as a process (what a user runs). */
export function local(command: string, ...args: string[]): CliRun {
  const run = spawnSync(process.execPath, ["--import", "tsx", join(PROJECT_ROOT, "scripts", "local.ts"), command, ...args], {
    cwd: PROJECT_ROOT,
    encoding: "utf8",
    timeout: 120_000,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** `ip <args>` output; throws on failure. */
export function ip(...args: string[]): string {
  const run = spawnSync("ip", args, { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`ip ${args.join(" ")}: ${run.stderr}`);
  return run.stdout;
}

/** Run a command inside a network namespace (with its /etc/netns files mounted, as the nodes have them). */
export function inNamespace(netns: string, command: string, ...args: string[]): CliRun {
  const run = spawnSync("ip", ["netns", "exec", netns, command, ...args], { encoding: "utf8", timeout: 30_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** What exists on the host: namespace names, link names, /etc/netns entries (sorted). */
export function kernelSnapshot(): { namespaces: string[]; links: string[]; etcNetns: string[] } {
  return {
    namespaces: ip("netns", "list")
      .split("\n")
      .map((l) => l.trim().split(/\s+/)[0])
      .filter(Boolean)
      .sort(),
    links: ip("-o", "link", "show")
      .split("\n")
      .map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1])
      .filter((n): n is string => Boolean(n))
      .sort(),
    etcNetns: existsSync("/etc/netns") ? readdirSync("/etc/netns").sort() : [],
  };
}

/** One event the double appended to <workdir>/log/fisco-bcos-double.jsonl. */
export interface DoubleEvent {
  readonly event: "start" | "resolve" | "listen" | "peer" | "signal" | "exit" | "reload-failed";
  readonly [key: string]: any;
}

export function doubleEvents(workDir: string): DoubleEvent[] {
  const file = join(workDir, "log", "fisco-bcos-double.jsonl");
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

/** Poll `check` every 200 ms until it returns true or `ms` pass; returns its last answer. */
export async function eventually(check: () => boolean, ms = 10_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return check();
}

/** Node script run inside a namespace: connect to each host:port argument, print {entry: true|error} as JSON. */
export const CONNECT_SCRIPT = `
const net = require("node:net");
const entries = process.argv.slice(1);
Promise.all(entries.map((entry) => new Promise((resolve) => {
  const i = entry.lastIndexOf(":");
  const s = net.connect({ host: entry.slice(0, i), port: Number(entry.slice(i + 1)) });
  s.setTimeout(3000, () => { s.destroy(); resolve([entry, "timeout"]); });
  s.once("connect", () => { s.destroy(); resolve([entry, true]); });
  s.once("error", (e) => resolve([entry, e.code || e.message]));
}))).then((r) => console.log(JSON.stringify(Object.fromEntries(r))));
`;

/** True when the process runs (and is not a zombie). */
export function processRuns(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^\S+ \(.*\) [ZX] /.test(stat);
  } catch {
    return false;
  }
}
