import { buildSync, type BuildOptions } from "esbuild";
import { join } from "node:path";

const ROOT = join(__dirname, "..");

/**
 * esbuild options that turn the verifier CLI (scripts/verify.ts and everything it imports, ethers included) into ONE
 * file that runs with plain `node verifier.js` on Node 20: what the in-cluster Job ships in a ConfigMap (≤ 1 MiB).
 */
export const VERIFIER_BUNDLE_OPTIONS: BuildOptions = {
  absWorkingDir: ROOT,
  entryPoints: [join(ROOT, "scripts", "verify.ts")],
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  minify: true,
  sourcemap: false,
  legalComments: "eof",
  logLevel: "warning",
  banner: { js: "#!/usr/bin/env node" },
};

export const CONFIGMAP_LIMIT = 1024 * 1024;

/** The bundle as text (deterministic for the same sources), for the verifier ConfigMap. */
export function bundleVerifierText(): string {
  const result = buildSync({ ...VERIFIER_BUNDLE_OPTIONS, write: false, outfile: "verifier.js" });
  const text = result.outputFiles[0].text;
  if (Buffer.byteLength(text) >= CONFIGMAP_LIMIT) throw new Error(`the verifier bundle (${Buffer.byteLength(text)} bytes) no longer fits in a ConfigMap`);
  return text;
}
