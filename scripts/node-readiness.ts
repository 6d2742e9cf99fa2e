import { runReadinessCli } from "../readiness/cli";

// The chart's node-readiness container runs this, bundled into one file (shipped/ set "readiness").
runReadinessCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`node-readiness: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
