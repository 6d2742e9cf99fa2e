import { bundleScriptText } from "./esbuild";

/**
 * The files the project ships to the cluster, in ConfigMaps that the chart's Jobs run with plain `node`: the one door
 * through which components reach the verifier, the load generator, the node readiness agent and the membership Job. Each set is
 * bundled once per process (esbuild in its own process, deterministic for the same sources).
 */
export type ShippedSet = "verifier" | "bench" | "readiness" | "members";

const SOURCES: Readonly<Record<ShippedSet, Readonly<Record<string, string>>>> = {
  verifier: { "verifier.js": "scripts/verify.ts" },
  bench: { "bench.js": "scripts/bench.ts", "sign-worker.js": "bench/sign-worker.ts" },
  readiness: { "readiness.js": "scripts/node-readiness.ts" },
  members: { "members.js": "scripts/members.ts" },
};

const built = new Map<ShippedSet, Promise<Record<string, string>>>();

/** ConfigMap key → bundled JavaScript for one set. @throws when a bundle no longer fits in a ConfigMap. */
export function shippedFiles(set: ShippedSet): Promise<Record<string, string>> {
  let files = built.get(set);
  if (!files) {
    files = Promise.all(Object.entries(SOURCES[set]).map(async ([key, entry]) => [key, await bundleScriptText(entry, key)] as const)).then(Object.fromEntries);
    built.set(set, files);
  }
  return files;
}
