import { runCli } from "../verify/cli";

// `npm run verify -- --help`; bundled by scripts/bundle-verifier.ts into dist/verifier.js for the in-cluster Job.
runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`verify: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
