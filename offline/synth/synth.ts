import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { accountFromPrivateKeyHex } from "../../chain/keys";
import { parseChainSpec } from "../../chain/spec";
import { rawConfigFromPulumi } from "../../chain/stack-config";
import { runProgramOffline } from "../mocks/run-program";
import { readStackConfig, withSealerCount } from "./stack-file";
import { readProviderState, readRecordedOutputs, writeProviderState } from "./state-file";
import { RENDERED_DIRS, writeTree } from "./write-tree";
import { RUN_DIR as LOCAL_RUN_DIR } from "../../local/state";

export interface SynthOptions {
  readonly stack: string;
  readonly out: string;
  readonly nodes?: number;
  readonly includeSecrets?: boolean;
  readonly force?: boolean;
  /** A state file to keep identity between runs: read when it exists, written after the run (holds every private key). */
  readonly state?: string;
  readonly log?: (line: string) => void;
}

export interface SynthResult {
  readonly files: string[];
  /** Files an earlier render had written there and this one did not: removed. */
  readonly removed: string[];
  readonly outputs: Record<string, any>;
  readonly seconds: number;
}

/** The offline render: run the program with the offline engine and write a build_chain-style tree. */
export async function synth(options: SynthOptions): Promise<SynthResult> {
  const log = options.log ?? (() => undefined);
  const started = process.hrtime.bigint();
  if (!options.force && existsSync(options.out) && readdirSync(options.out).length > 0) {
    throw new Error(`--out ${options.out} exists and is not empty; choose another directory or pass --force to overwrite it`);
  }
  const providerState = options.state ? readProviderState(options.state, options.stack) : undefined;
  const keepsIdentity = providerState !== undefined && providerState.size > 0;
  if (!keepsIdentity && existsSync(join(options.out, LOCAL_RUN_DIR))) {
    throw new Error(
      `--out ${options.out} holds a local chain's data (${LOCAL_RUN_DIR}/): rendering it again without the identity it was rendered with ` +
        `(--state <file> of its first render) makes a new chain (CA, keys, genesis) that cannot join it. Render into another directory, ` +
        `or remove that chain first: npm run local:down -- --tree ${options.out} --purge`,
    );
  }
  let config = readStackConfig(options.stack);
  if (options.nodes !== undefined) config = withSealerCount(config, options.nodes);
  // The program validates it again; here a bad stack file stops before anything is generated or said to be.
  parseChainSpec(rawConfigFromPulumi(config));

  log(
    keepsIdentity
      ? `stack ${options.stack}: keeping the chain's identity from ${options.state} (keys only for nodes it does not hold yet)…`
      : `stack ${options.stack}: generating the chain CA, TLS certificates and consensus keys…`,
  );
  const previousOutputs = options.state ? readRecordedOutputs(options.state) : undefined;
  const run = await runProgramOffline({ stack: options.stack, config, providerState, previousOutputs });
  const caKey = run.engine.resources.find((r) => r.type === "tls:index/privateKey:PrivateKey" && r.name.endsWith("-pki-ca"));
  const tree = await writeTree(
    {
      kubernetesObjects: run.engine.kubernetesObjects(),
      caCertificate: run.outputs.caCertificate,
      caKeyPem: caKey?.state.privateKeyPemPkcs8 ?? "",
      admin: { address: run.outputs.adminAddress, privateKeyPem: accountFromPrivateKeyHex(run.outputs.adminPrivateKey).pem },
      stackOutputs: run.outputs,
    },
    { out: options.out, includeSecrets: Boolean(options.includeSecrets) },
  );
  if (options.state && providerState) {
    const outputs = { declaredMembers: run.outputs.declaredMembers, formerNodeIds: run.outputs.formerNodeIds };
    writeProviderState(options.state, providerState, outputs, options.stack);
  }
  if (tree.removed.length > 0)
    log(`removed ${plural(tree.removed.length, "file")} an earlier render left that this one does not write: ${summary(tree.removed)}`);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const nodes = plural(Object.keys(run.outputs.nodeIds).length, "node");
  log(`wrote ${plural(tree.files.length, "file")} for ${nodes} to ${options.out} in ${seconds.toFixed(2)} s`);
  return { files: tree.files, removed: tree.removed, outputs: run.outputs, seconds };
}

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? "" : "s"}`;

/** The removed paths, a node directory's files shown as the directory (node5/, not node5/conf/ssl.key …) and first, at most 8. */
function summary(paths: readonly string[]): string {
  const top = (p: string) => p.split("/")[0];
  const collapsed = [...new Set(paths.map((p) => (RENDERED_DIRS.includes(top(p)) || !p.includes("/") ? p : `${top(p)}/`)))];
  // Whole node directories first: what a reader most needs to see.
  const shown = [...collapsed.filter((p) => p.endsWith("/")), ...collapsed.filter((p) => !p.endsWith("/"))];
  return shown.length > 8 ? `${shown.slice(0, 8).join(", ")}, …` : shown.join(", ");
}
