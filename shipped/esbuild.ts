import { build, type BuildOptions } from "esbuild";
import { join } from "node:path";
import { PROJECT_ROOT as ROOT } from "../project-root";

/**
 * esbuild options that turn one of the project's CLIs (e.g. scripts/verify.ts and everything it imports, ethers included)
 * into ONE file that runs with plain `node <file>.js` on Node 20: what an in-cluster Job ships in a ConfigMap (≤ 1 MiB).
 */
export const BUNDLE_OPTIONS: BuildOptions = {
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

/**
 * One script of the project bundled with the same options, as text (deterministic for the same sources), for a
 * ConfigMap. Asynchronous: esbuild works in its own process while the program goes on.
 */
export async function bundleScriptText(entryPoint: string, outName: string): Promise<string> {
  const result = await build({ ...BUNDLE_OPTIONS, entryPoints: [join(ROOT, entryPoint)], write: false, outfile: outName });
  const text = result.outputFiles[0].text;
  if (Buffer.byteLength(text) >= CONFIGMAP_LIMIT) throw new Error(`the bundle ${outName} (${Buffer.byteLength(text)} bytes) no longer fits in a ConfigMap`);
  return text;
}
