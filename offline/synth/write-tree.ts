import { existsSync } from "node:fs";
import { chmod, mkdir, readdir, rm, rmdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { dump } from "js-yaml";
import { LABEL } from "../../chain/labels";
import type { RegisteredResource } from "../mocks/registered-resource";

/** Files that hold private keys: written owner-only (as are the admin account's key and, with secrets, Secret manifests). */
const PRIVATE_FILES = new Set(["ssl.key", "node.pem", "sdk.key", "ca.key"]);
/** Top-level directories that are wholly the render's; node directories are too (see nodeDirectories). */
export const RENDERED_DIRS: readonly string[] = ["manifests", "sdk", "ca"];
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

export interface WrittenTree {
  /** Paths relative to the tree, every file written. */
  readonly files: string[];
  /** Paths relative to the tree of files an earlier render left there that this one did not write: removed. */
  readonly removed: string[];
}

/**
 * Write a build_chain-style tree from what the program registered: <node>/{config.ini,config.genesis,nodes.json,conf/},
 * sdk/, ca/ and manifests/. The files come from the registered Secrets and ConfigMaps, so the tree is exactly what
 * the cluster would get. Over an earlier render (synth --force), what it wrote and this render does not (a removed
 * node's directory and manifests, keys written with --include-secrets) is removed, so the tree is this render alone;
 * nothing else in the directory (the local runner's .local-run/, other files) is touched.
 */
export async function writeTree(inputs: TreeInputs, options: TreeOptions): Promise<WrittenTree> {
  const files = new Map<string, string>();
  const privatePaths = new Set<string>();
  const write = (path: string, content: string, secret = PRIVATE_FILES.has(basename(path))) => {
    files.set(path, content);
    if (secret) privatePaths.add(path);
  };

  for (const object of inputs.kubernetesObjects) {
    const labels = object.inputs.metadata?.labels ?? {};
    const node = labels[LABEL.node];
    const files: Record<string, string> = object.inputs.stringData ?? object.inputs.data ?? {};
    if (node && object.inputs.kind === "ConfigMap") for (const [name, text] of Object.entries(files)) write(`${node}/${name}`, text);
    if (node && object.inputs.kind === "Secret") for (const [name, text] of Object.entries(files)) write(`${node}/conf/${name}`, text);
    if (labels[LABEL.component] === "sdk" && object.inputs.kind === "Secret") {
      for (const [name, text] of Object.entries(files)) write(`sdk/${name}`, text);
    }
    const holdsSecrets = object.inputs.kind === "Secret" && options.includeSecrets;
    write(`manifests/${manifestFileName(object.inputs)}`, manifestYaml(object.inputs, options.includeSecrets), holdsSecrets);
  }
  write("ca/ca.crt", inputs.caCertificate);
  if (inputs.stackOutputs) {
    const shown = Object.fromEntries(Object.entries(inputs.stackOutputs).map(([key, value]) => [key, SECRET_OUTPUTS.has(key) ? "[secret]" : value]));
    write(STACK_OUTPUTS_FILE, `${JSON.stringify(shown, null, 2)}\n`);
  }
  if (options.includeSecrets) {
    write("ca/ca.key", inputs.caKeyPem);
    write(`ca/accounts/${inputs.admin.address}.pem`, inputs.admin.privateKeyPem, true);
  }
  const earlierNodes = await nodeDirectories(options.out);
  await writeFiles(options.out, files, privatePaths);
  const removed = await removeStale(options.out, new Set(files.keys()), [...RENDERED_DIRS, ...earlierNodes]);
  return { files: [...files.keys()], removed };
}

/** Write every file in parallel; private keys owner-only (chmod too, since an existing file keeps its old mode). */
async function writeFiles(out: string, files: ReadonlyMap<string, string>, privatePaths: ReadonlySet<string>): Promise<void> {
  const dirs = new Set([...files.keys()].map((path) => dirname(join(out, path))));
  await Promise.all([...dirs].map((dir) => mkdir(dir, { recursive: true })));
  await Promise.all(
    [...files].map(async ([path, content]) => {
      const file = join(out, path);
      const mode = privatePaths.has(path) ? 0o600 : 0o644;
      await writeFile(file, content, { mode });
      if (mode === 0o600) await chmod(file, mode);
    }),
  );
}

/** Top-level directories of an earlier render that are node directories: they hold config.ini and config.genesis. */
async function nodeDirectories(out: string): Promise<string[]> {
  if (!existsSync(out)) return [];
  const entries = await readdir(out, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory() && !e.name.startsWith(".") && !RENDERED_DIRS.includes(e.name))
    .filter((e) => existsSync(join(out, e.name, "config.ini")) && existsSync(join(out, e.name, "config.genesis")))
    .map((e) => e.name);
}

/** Remove the files under `dirs` (relative to `out`) that `written` does not hold, then the directories left empty. */
async function removeStale(out: string, written: ReadonlySet<string>, dirs: readonly string[]): Promise<string[]> {
  const removed: string[] = [];
  const prune = async (relative: string): Promise<boolean> => {
    const entries = await readdir(join(out, relative), { withFileTypes: true }).catch(() => []);
    let empty = true;
    for (const entry of entries) {
      const path = `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        if (await prune(path)) await rmdir(join(out, path));
        else empty = false;
      } else if (!written.has(path)) {
        await rm(join(out, path));
        removed.push(path);
      } else empty = false;
    }
    return empty;
  };
  for (const dir of dirs) if ((await prune(dir)) && existsSync(join(out, dir))) await rmdir(join(out, dir));
  return removed.sort();
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
