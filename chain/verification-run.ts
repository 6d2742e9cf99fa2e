import { sha256Hex } from "./digest";
import { genesisSealers } from "./genesis-drift";
import { parseIni } from "./ini";

/** How the chart runs the verification Job (see charts/fisco-bcos/templates/verification.yaml). */
export interface VerificationRun {
  /** Digest of everything the Job verifies; part of its name. */
  readonly runId: string;
  /** The genesis sealers' node ids. */
  readonly expectNodeIds: readonly string[];
  /** A Helm hook (Helm, Argo CD, Flux), or a plain Job ordered after the nodes (Pulumi's Chart v4 skips hooks). */
  readonly hook: boolean;
}

/** What the verification Job checks, and its run id: a digest of the recorded genesis, the workloads and the verifier. */
export function verificationRun(genesis: string, workloadValues: unknown, bundleDigest: string, hook: boolean): VerificationRun {
  const runId = sha256Hex(JSON.stringify([genesis, workloadValues, bundleDigest])).slice(0, 16);
  return { runId, hook, expectNodeIds: genesisSealers(parseIni(genesis)).map((s) => s.id) };
}
