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
