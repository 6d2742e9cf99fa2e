import { chmod, mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { dump } from "js-yaml";
import { LABEL } from "../../chain/labels";
import type { RegisteredResource } from "../mocks/registered-resource";

/** Files that hold private keys: written owner-only. */
const PRIVATE_FILES = new Set(["ssl.key", "node.pem", "sdk.key", "ca.key"]);
export const REDACTED = "<redacted: run synth with --include-secrets>";
/** The stack outputs, as `pulumi stack output --json` prints them (secret ones as "[secret]"): what `npm run members -- --tree` reads. */
export const STACK_OUTPUTS_FILE = "stack-outputs.json";
const SECRET_OUTPUTS = new Set(["adminPrivateKey"]);

export interface TreeOptions {
  readonly out: string;
  readonly includeSecrets: boolean;
}

export interface TreeInputs {
  readonly kubernetesObjects: readonly RegisteredResource[];
  readonly caCertificate: string;
  readonly admin: { readonly address: string; readonly privateKeyPem: string };
  readonly caKeyPem: string;
  /** The program's stack outputs: written as stack-outputs.json, secret ones shown as "[secret]". */
  readonly stackOutputs?: Readonly<Record<string, unknown>>;
}

/**
 * Write a build_chain-style tree from what the program registered: <node>/{config.ini,config.genesis,nodes.json,conf/},
 * sdk/, ca/ and manifests/. The files come from the registered Secrets and ConfigMaps, so the tree is exactly what
 * the cluster would get.
 */
export async function writeTree(inputs: TreeInputs, options: TreeOptions): Promise<string[]> {
  const files = new Map<string, string>();
  const write = (path: string, content: string) => files.set(path, content);

  for (const object of inputs.kubernetesObjects) {
    const labels = object.inputs.metadata?.labels ?? {};
    const node = labels[LABEL.node];
    const files: Record<string, string> = object.inputs.stringData ?? object.inputs.data ?? {};
    if (node && object.inputs.kind === "ConfigMap") for (const [name, text] of Object.entries(files)) write(`${node}/${name}`, text);
    if (node && object.inputs.kind === "Secret") for (const [name, text] of Object.entries(files)) write(`${node}/conf/${name}`, text);
    if (labels[LABEL.component] === "sdk" && object.inputs.kind === "Secret") {
      for (const [name, text] of Object.entries(files)) write(`sdk/${name}`, text);
    }
    write(`manifests/${manifestFileName(object.inputs)}`, manifestYaml(object.inputs, options.includeSecrets));
  }
  write("ca/ca.crt", inputs.caCertificate);
  if (inputs.stackOutputs) {
    const shown = Object.fromEntries(Object.entries(inputs.stackOutputs).map(([key, value]) => [key, SECRET_OUTPUTS.has(key) ? "[secret]" : value]));
    write(STACK_OUTPUTS_FILE, `${JSON.stringify(shown, null, 2)}\n`);
  }
  if (options.includeSecrets) {
    write("ca/ca.key", inputs.caKeyPem);
    write(`ca/accounts/${inputs.admin.address}.pem`, inputs.admin.privateKeyPem);
  }
  await writeFiles(options.out, files);
  return [...files.keys()];
}

/** Write every file in parallel; private keys owner-only (chmod too, since an existing file keeps its old mode). */
async function writeFiles(out: string, files: ReadonlyMap<string, string>): Promise<void> {
  const dirs = new Set([...files.keys()].map((path) => dirname(join(out, path))));
  await Promise.all([...dirs].map((dir) => mkdir(dir, { recursive: true })));
  await Promise.all(
    [...files].map(async ([path, content]) => {
      const file = join(out, path);
      const mode = PRIVATE_FILES.has(basename(path)) ? 0o600 : 0o644;
      await writeFile(file, content, { mode });
      if (mode === 0o600) await chmod(file, mode);
    }),
  );
}

const basename = (path: string) => path.slice(path.lastIndexOf("/") + 1);

function manifestFileName(object: Record<string, any>): string {
  return `${String(object.kind).toLowerCase()}-${object.metadata?.name}.yaml`;
}

/** YAML with sorted keys; Secret values redacted unless asked for. */
export function manifestYaml(object: Record<string, any>, includeSecrets: boolean): string {
  const shown = object.kind === "Secret" && !includeSecrets ? redactSecret(object) : object;
  return dump(shown, { sortKeys: true, lineWidth: -1, noRefs: true });
}

function redactSecret(secret: Record<string, any>): Record<string, any> {
  const redact = (values?: Record<string, string>) => values && Object.fromEntries(Object.keys(values).map((k) => [k, REDACTED]));
  return { ...secret, ...(secret.stringData && { stringData: redact(secret.stringData) }), ...(secret.data && { data: redact(secret.data) }) };
}
