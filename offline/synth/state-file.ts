import { accessSync, chmodSync, constants, existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { ProviderState } from "../mocks/registered-resource";

const FORMAT = "fisco-bcos-synth-state/1";

/**
 * The offline engine's provider state as a file, so that a later `synth --state <file>` keeps the chain's identity
 * (CA, keys, seeds, the recorded genesis) as a Pulumi stack's state does. It holds every private key, the CA's too.
 *
 * @param stack the stack being rendered: a state another stack wrote is refused (it would give this stack that chain's
 *   CA and keys). States written before the stack was recorded are taken as they are.
 * @returns an empty state when the file does not exist (its directory must, and be writable: the state is written after
 *   the tree, and a tree whose keys are kept nowhere else must not be the result).
 * @throws Error naming the file when it is not such a state, is another stack's, or cannot be written.
 */
export function readProviderState(path: string, stack: string): ProviderState {
  if (!existsSync(path)) {
    try {
      accessSync(dirname(path), constants.W_OK);
    } catch {
      throw new Error(
        `--state ${path}: its directory ${dirname(path)} does not exist or is not writable; the state (every key of the chain) could not be kept`,
      );
    }
    return new Map();
  }
  let parsed: any;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new Error(`--state ${path}: not readable as JSON (${(error as Error).message})`, { cause: error });
  }
  if (parsed?.format !== FORMAT || typeof parsed.resources !== "object") throw new Error(`--state ${path}: not a synth state file (format ${FORMAT})`);
  if (typeof parsed.stack === "string" && parsed.stack !== stack)
    throw new Error(`--state ${path}: it is stack ${parsed.stack}'s state, not ${stack}'s: each stack needs its own state file (its own CA and keys)`);
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
export function writeProviderState(path: string, state: ProviderState, outputs: Record<string, unknown>, stack: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  const resources = Object.fromEntries([...state].sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(temporary, `${JSON.stringify({ format: FORMAT, stack, resources, outputs }, null, 1)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}
