import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { accountFromPrivateKeyHex } from "../../chain/keys";
import { runProgramOffline } from "../mocks/run-program";
import { readStackConfig, withSealerCount } from "./stack-file";
import { readProviderState, readRecordedOutputs, writeProviderState } from "./state-file";
import { writeTree } from "./write-tree";
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
  const providerState = options.state ? readProviderState(options.state) : undefined;
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

  log(
    keepsIdentity
      ? `stack ${options.stack}: keeping the chain's identity from ${options.state} (keys only for nodes it does not hold yet)…`
      : `stack ${options.stack}: generating the chain CA, TLS certificates and consensus keys…`,
  );
  const previousOutputs = options.state ? readRecordedOutputs(options.state) : undefined;
  const run = await runProgramOffline({ stack: options.stack, config, providerState, previousOutputs });
  const caKey = run.engine.resources.find((r) => r.type === "tls:index/privateKey:PrivateKey" && r.name.endsWith("-pki-ca"));
  const files = await writeTree(
    {
      kubernetesObjects: run.engine.kubernetesObjects(),
      caCertificate: run.outputs.caCertificate,
      caKeyPem: caKey?.state.privateKeyPemPkcs8 ?? "",
      admin: { address: run.outputs.adminAddress, privateKeyPem: accountFromPrivateKeyHex(run.outputs.adminPrivateKey).pem },
      stackOutputs: run.outputs,
    },
    { out: options.out, includeSecrets: Boolean(options.includeSecrets) },
  );
  if (options.state && providerState)
    writeProviderState(options.state, providerState, { declaredMembers: run.outputs.declaredMembers, formerNodeIds: run.outputs.formerNodeIds });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  log(`wrote ${files.length} files for ${Object.keys(run.outputs.nodeIds).length} nodes to ${options.out} in ${seconds.toFixed(2)} s`);
  return { files, outputs: run.outputs, seconds };
}
