// Compiles the command line (synth, verify, members, bench, local) into dist/cli/, one CommonJS file per command with
// the project's own TypeScript bundled in and packages left in node_modules, so a command starts without compiling
// TypeScript. Run by `npm ci`/`npm install` (prepare) and by bin/fisco-bcos-provisioner.js when a source is newer
// than the build. Plain JavaScript: it must run before anything is compiled.
import { build } from "esbuild";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
/** Where the commands go: dist/cli, or FISCO_CLI_DIST_DIR (the tests build into a folder of their own). */
export const OUT_DIR = process.env.FISCO_CLI_DIST_DIR ?? join(ROOT, "dist", "cli");

/** Command → entry point. `sign-worker` is the load generator's worker thread, found beside bench.js. */
export const ENTRIES = {
  synth: "scripts/synth.ts",
  verify: "scripts/verify.ts",
  members: "scripts/members.ts",
  bench: "scripts/bench.ts",
  "sign-worker": "bench/sign-worker.ts",
  local: "scripts/local.ts",
};

/**
 * Builds every command into `outDir`, then writes inputs.json there (the sources read, for the launcher's freshness
 * check). Each file is written aside and renamed into place, so a command started meanwhile reads whole files.
 */
export async function buildCli(outDir = OUT_DIR) {
  mkdirSync(outDir, { recursive: true });
  const builtAt = Date.now();
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([name, entry]) => [name, join(ROOT, entry)])),
    outdir: outDir,
    write: false,
    bundle: true,
    packages: "external",
    platform: "node",
    target: "node20",
    format: "cjs",
    sourcemap: false,
    logLevel: "warning",
    metafile: true,
  });
  const inputs = Object.keys(result.metafile.inputs)
    .map((file) => relative(ROOT, join(ROOT, file)))
    .sort();
  const files = [
    ...result.outputFiles.map((f) => [f.path, f.contents]),
    [join(outDir, "inputs.json"), `${JSON.stringify({ builtAt, inputs: [...inputs, "package.json", "package-lock.json"] }, null, 1)}\n`],
  ];
  for (const [path, contents] of files) {
    const aside = `${path}.${process.pid}.tmp`;
    writeFileSync(aside, contents);
    renameSync(aside, path);
  }
  return inputs.length;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  buildCli().then(
    (count) => console.error(`[build] dist/cli: ${Object.keys(ENTRIES).length} commands from ${count} sources in ${Date.now() - started} ms`),
    (error) => {
      console.error(`[build] failed: ${error.message}`);
      process.exit(1);
    },
  );
}
