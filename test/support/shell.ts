// Running the project's shell scripts under test, with test doubles standing in for docker, kind, kubectl and pulumi.
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const PROJECT_ROOT = join(__dirname, "..", "..");

const created: string[] = [];
process.on("exit", () => {
  for (const dir of created) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary directory, removed when the test process exits. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** Absolute path of bash (test doubles cannot rely on PATH to find it). */
export const BASH = ["/bin/bash", "/usr/bin/bash"].find((p) => existsSync(p)) ?? "bash";

/** shellcheck on PATH, or null. */
export function shellcheckBinary(): string | null {
  const found = spawnSync("sh", ["-c", "command -v shellcheck"], { encoding: "utf8" });
  return found.status === 0 && found.stdout.trim() ? found.stdout.trim() : null;
}

/**
 * A directory of test-double executables. Each records its argv (one line: "<name> <args…>") in the file
 * `calls.log` beside it, then runs its bash `body` (default: succeed silently). Bodies use shell builtins only, so
 * the doubles work with PATH set to this directory alone.
 */
export class TestDoubles {
  readonly dir: string;
  readonly log: string;

  constructor(prefix = "fisco-test-doubles-") {
    this.dir = tempDir(prefix);
    this.log = join(this.dir, "calls.log");
    writeFileSync(this.log, "");
  }

  /** Adds an executable named `name` that logs its call and then runs `body` (bash; "$@" are its arguments). */
  add(name: string, body = "exit 0"): this {
    const path = join(this.dir, name);
    writeFileSync(
      path,
      `#!${BASH}\n# Test double for ${name}, made by test/support/shell.ts: records the call, then behaves as scripted.\n` +
        `printf '%s\\n' "${name} $*" >> '${this.log}'\n${body}\n`,
    );
    chmodSync(path, 0o755);
    return this;
  }

  calls(): string[] {
    return readFileSync(this.log, "utf8").split("\n").filter(Boolean);
  }
}

export interface ScriptRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a script with bash, a clean environment (only `env`) and stdin from `input` (a pipe: no terminal). */
export function runScript(script: string, args: readonly string[], env: Record<string, string>, input = ""): Promise<ScriptRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(BASH, [join(PROJECT_ROOT, script), ...args], { cwd: PROJECT_ROOT, env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.on("error", () => {}); // EPIPE when the script exits before reading its input
    child.stdin.end(input);
  });
}
