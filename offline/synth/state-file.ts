import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import type { ProviderState } from "../mocks/registered-resource";

const FORMAT = "fisco-bcos-synth-state/1";

/**
 * The offline engine's provider state as a file, so that a later `synth --state <file>` keeps the chain's identity
 * (CA, keys, seeds, the recorded genesis) as a Pulumi stack's state does. It holds every private key, the CA's too.
 *
 * @returns an empty state when the file does not exist. @throws Error naming the file when it is not such a state.
 */
export function readProviderState(path: string): ProviderState {
  if (!existsSync(path)) return new Map();
  let parsed: any;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new Error(`--state ${path}: not readable as JSON (${(error as Error).message})`, { cause: error });
  }
  if (parsed?.format !== FORMAT || typeof parsed.resources !== "object") throw new Error(`--state ${path}: not a synth state file (format ${FORMAT})`);
  return new Map(Object.entries(parsed.resources));
}

/**
 * The stack outputs the run that wrote the state file recorded (those the program reads back through a
 * StackReference to itself); none for a missing file or one written before they were kept.
 */
export function readRecordedOutputs(path: string): Record<string, unknown> {
  if (!existsSync(path)) return {};
  const parsed = JSON.parse(readFileSync(path, "utf8")) as { outputs?: Record<string, unknown> };
  return parsed.outputs ?? {};
}

/** Writes the state owner-only (0600), replacing the file atomically; `outputs`: what the program reads back next time. */
export function writeProviderState(path: string, state: ProviderState, outputs: Record<string, unknown> = {}): void {
  const temporary = `${path}.${process.pid}.tmp`;
  const resources = Object.fromEntries([...state].sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(temporary, `${JSON.stringify({ format: FORMAT, resources, outputs }, null, 1)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}
