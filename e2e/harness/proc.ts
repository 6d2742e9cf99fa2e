import { spawn, type ChildProcess } from "node:child_process";
import { appendFileSync } from "node:fs";

/** What a finished command left behind. */
export interface RunResult {
  readonly command: string;
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
  /** Wall-clock end, ms since the epoch (to relate a command to what a watch saw). */
  readonly endedAt: number;
}

export interface RunOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Every command, its output and its exit status are appended here. */
  readonly log?: string;
  readonly input?: string;
}

/** Children still running: each in its own process group, so that teardown can end it with everything it started. */
const live = new Set<ChildProcess>();

/** Logs keep the start and the end of a long output (a stack export is megabytes). */
const clip = (text: string, max = 200_000) =>
  text.length <= max ? text : `${text.slice(0, max / 2)}\n[… ${text.length - max} characters left out …]\n${text.slice(-max / 2)}`;

const quote = (arg: string) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`);

export function commandLine(cmd: string, args: readonly string[]): string {
  return [cmd, ...args].map(quote).join(" ");
}

/** Run a command to its end; never rejects for a non-zero exit (the caller judges the exit status). */
export function run(cmd: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const command = commandLine(cmd, args);
  const started = Date.now();
  if (options.log) appendFileSync(options.log, `\n$ ${command}\n`);
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env: options.env ?? process.env, cwd: options.cwd, detached: true, stdio: ["pipe", "pipe", "pipe"] });
    live.add(child);
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    // A child may exit before it reads its input (EPIPE): that is its exit status's business, not a crash here.
    child.stdin.on("error", () => undefined);
    child.stdin.end(options.input ?? "");
    const finish = (code: number) => {
      live.delete(child);
      const endedAt = Date.now();
      const seconds = (endedAt - started) / 1000;
      if (options.log)
        appendFileSync(options.log, `${clip(stdout)}${stderr ? `\n[stderr]\n${clip(stderr)}` : ""}\n[exit ${code} after ${seconds.toFixed(1)} s]\n`);
      resolve({ command, code, stdout, stderr, seconds, endedAt });
    };
    child.on("error", (error) => {
      stderr += `${error.message}\n`;
      finish(127);
    });
    child.on("close", (code, signal) => finish(code ?? (signal ? 128 + (signal === "SIGKILL" ? 9 : 15) : 1)));
  });
}

/** A long-running child (a watch) that the caller stops. */
export function start(cmd: string, args: readonly string[], options: RunOptions & { onStdout: (chunk: string) => void }): { stop: () => Promise<void> } {
  const child = spawn(cmd, args, { env: options.env ?? process.env, cwd: options.cwd, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  live.add(child);
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", options.onStdout);
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const closed = new Promise<void>((resolve) => child.on("close", () => resolve()));
  return {
    stop: async () => {
      signalGroup(child, "SIGTERM");
      await Promise.race([closed, new Promise((r) => setTimeout(r, 3000))]);
      live.delete(child);
      if (options.log && stderr) appendFileSync(options.log, `[${commandLine(cmd, args)} stderr]\n${stderr}\n`);
    },
  };
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** End every child this process started (and what they started): TERM, then KILL after a grace period. */
export async function stopAll(graceMs = 5000): Promise<void> {
  const children = [...live];
  for (const child of children) signalGroup(child, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (children.some((c) => c.exitCode === null && c.signalCode === null) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  for (const child of children) signalGroup(child, "SIGKILL");
  live.clear();
}
