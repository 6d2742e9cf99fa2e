import { runLocalCli } from "../local/cli";

// A closed stdout (e.g. `| head`) must not stop the runner half-way through starting nodes.
for (const stream of [process.stdout, process.stderr]) stream.on("error", () => undefined);

// `npm run local:up -- --tree <dir> --bin <fisco-bcos>` and the other local:* scripts (package.json) land here.
runLocalCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`local: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
