import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { loadAll } from "js-yaml";
import { PROJECT_ROOT } from "../../project-root";

const execFileAsync = promisify(execFile);

/** Path of the helm binary that `npm run tools` (scripts/install-helm.mjs) extracts. */
export function helmBinary(): string {
  const path = join(PROJECT_ROOT, ".tools", "bin", "helm");
  if (!existsSync(path)) throw new Error(`helm not found at ${path}; run \`npm run tools\` (npm test and npm run synth do it first)`);
  return path;
}

/** Runs helm with the values in a temporary owner-only file; rejects with helm's own message. */
export async function runHelm(args: readonly string[], values: unknown, extraArgs: readonly string[] = []): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "fisco-helm-"));
  const valuesFile = join(dir, "values.json");
  try {
    await writeFile(valuesFile, JSON.stringify(values), { mode: 0o600 });
    const { stdout } = await execFileAsync(helmBinary(), [...args, ...extraArgs, "--values", valuesFile], { maxBuffer: 64 << 20 });
    return stdout;
  } catch (err: any) {
    const detail = `${err.stderr ?? ""}${err.stdout ?? ""}`.trim() || err.message;
    throw new Error(`helm ${args[0]} failed:\n${detail}`, { cause: err });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface Release {
  readonly namespace: string;
  readonly releaseName: string;
}

/** `helm template` as objects, empty documents dropped. */
export async function helmTemplate(chartDir: string, values: unknown, release: Release, extraArgs: readonly string[] = []): Promise<Record<string, any>[]> {
  const text = await runHelm(["template", release.releaseName, chartDir, "--namespace", release.namespace], values, extraArgs);
  return loadAll(text).filter((doc): doc is Record<string, any> => doc !== null && typeof doc === "object");
}
