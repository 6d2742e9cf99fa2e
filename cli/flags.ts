import { readFileSync } from "node:fs";

/** Command-line parsing shared by the verifier and the load generator: every error names the flag and what is allowed. */
export class UsageError extends Error {}

export function fail(message: string): never {
  throw new UsageError(message);
}

export function readText(flag: string, file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    return fail(`${flag}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

/** A comma-separated list of http(s) URLs. */
export function urlList(flag: string, value: string): string[] {
  const list = value
    .split(",")
    .map((u) => u.trim())
    .filter(Boolean);
  if (list.length === 0) fail(`${flag}: give at least one URL, comma-separated`);
  for (const u of list) {
    let parsed: URL;
    try {
      parsed = new URL(u);
    } catch {
      return fail(`${flag}: "${u}" is not a URL (expected e.g. https://host:20200)`);
    }
    if (parsed.protocol !== "https:" && parsed.protocol !== "http:") fail(`${flag}: "${u}" must be an https:// or http:// URL`);
  }
  return list;
}

/** A number in [min, max] (an integer when `integer`), or undefined when the flag was not given. */
export function numberFlag(flag: string, value: string | undefined, min: number, max: number, integer: boolean, what: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || (integer && !Number.isInteger(n)) || n < min || n > max)
    fail(`${flag} must be ${what} from ${min} to ${max} (got "${value}")`);
  return n;
}

/** Where a command writes: stdout for results, stderr for messages. */
export interface CommandIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/**
 * The parsed command line, or the exit code when there is nothing to run: 0 after printing `usage` for --help (`parse`
 * returns "help"), 2 after printing `<command>: <the UsageError's message>` and `usage`. Other errors are thrown.
 */
export function parsedOrExitCode<T>(command: string, usage: string, parse: () => T | "help", io: CommandIo): T | number {
  let choice: T | "help";
  try {
    choice = parse();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`${command}: ${error.message}\n\n${usage}\n`);
    return 2;
  }
  if (choice !== "help") return choice;
  io.stdout(`${usage}\n`);
  return 0;
}
