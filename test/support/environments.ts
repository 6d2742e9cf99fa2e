// Shared by the environment tests (stacks, kind, CI templates, GitOps): the stack files through the real schema, and
// small readers for the repository's manifests.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { loadAll } from "js-yaml";
import { parseChainSpec, type ChainSpec } from "../../chain/spec";
import { rawConfigFromPulumi } from "../../chain/stack-config";
import { readStackConfig } from "../../offline/synth/stack-file";
import { PROJECT_ROOT } from "./shell";

export const ROOT = PROJECT_ROOT;
export const read = (path: string) => readFileSync(join(ROOT, path), "utf8");
export const yamlDocs = (path: string) => loadAll(read(path)).filter((d): d is Record<string, any> => d !== null && typeof d === "object");

export function parseStack(stack: string) {
  return parseChainSpec(rawConfigFromPulumi(readStackConfig(stack)));
}
export const spec = (stack: string): ChainSpec => parseStack(stack).spec;

/** Kubernetes quantities, enough for comparing the stacks' sizes. */
export function cpu(q: string): number {
  return q.endsWith("m") ? Number(q.slice(0, -1)) / 1000 : Number(q);
}
export function bytes(q: string): number {
  const units: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };
  const m = /^(\d+(?:\.\d+)?)([A-Za-z]*)$/.exec(q);
  assert.ok(m, `not a quantity: ${q}`);
  return Number(m[1]) * (m[2] ? units[m[2]] : 1);
}
export const requests = (s: ChainSpec) => s.nodeDefaults.resources.requests;

/** Inside the repository, and present. */
export function assertRepoPath(path: string, what: string): string {
  const abs = resolve(ROOT, path);
  assert.ok(!relative(ROOT, abs).startsWith(".."), `${what}: ${path} leaves the repository`);
  assert.ok(existsSync(abs), `${what}: ${path} does not exist in the repository`);
  return abs;
}

export const ENVIRONMENTS = ["dev", "staging", "prod"] as const;
