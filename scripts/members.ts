import { runCli } from "../members/cli";

// `npm run members -- --help`: brings the chain's sealer and observer sets to the declared ones (members/).
runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`members: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
