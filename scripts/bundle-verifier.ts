import { mkdirSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { build } from "esbuild";
import { BUNDLE_OPTIONS, CONFIGMAP_LIMIT } from "../shipped/esbuild";

/**
 * Writes the verifier bundle (scripts/verify.ts and everything it imports, ethers included, in ONE file that runs
 * with plain `node dist/verifier.js --sdk-dir /sdk ...` on Node 20, no node_modules) to dist/verifier.js.
 * Same esbuild options as the ConfigMap the Pulumi component ships (shipped/esbuild.ts).
 */
export const DEFAULT_OUT = join(__dirname, "..", "dist", "verifier.js");

export async function bundleVerifier(outfile = DEFAULT_OUT): Promise<{ outfile: string; bytes: number }> {
  mkdirSync(dirname(outfile), { recursive: true });
  await build({ ...BUNDLE_OPTIONS, outfile });
  return { outfile, bytes: statSync(outfile).size };
}

if (require.main === module) {
  bundleVerifier(process.argv[2] ?? DEFAULT_OUT).then(
    ({ outfile, bytes }) => {
      console.log(
        `wrote ${relative(process.cwd(), outfile)}: ${bytes} bytes (${(bytes / 1024).toFixed(1)} KiB, ${((100 * bytes) / CONFIGMAP_LIMIT).toFixed(1)}% of a ConfigMap's 1 MiB)`,
      );
      if (bytes >= CONFIGMAP_LIMIT) {
        console.error("the bundle no longer fits in a ConfigMap");
        process.exitCode = 1;
      }
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exitCode = 1;
    },
  );
}
