import { parseCli, UsageError, USAGE } from "../bench/cli-options";
import { formatTable, goalsMissed, progressWriter } from "../bench/report";
import { runBench } from "../bench/run";

/** `npm run bench`: the transaction load generator. SIGINT stops it with a partial report (exit 130). */
async function main(): Promise<number> {
  let choice;
  try {
    choice = parseCli(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (choice.help) {
    console.log(USAGE);
    return 0;
  }
  const stop = new AbortController();
  process.on("SIGINT", () => {
    if (stop.signal.aborted) process.exit(130);
    process.stderr.write("\n[bench] interrupted: stopping, partial report follows (Ctrl-C again to quit at once)\n");
    stop.abort();
  });
  const progress = progressWriter(process.stderr);
  const report = await runBench(choice.options, {
    signal: stop.signal,
    onProgress: progress.onProgress,
    log: (line) => process.stderr.write(`${line}\n`),
  }).finally(progress.end);
  console.log(choice.json ? JSON.stringify(report, null, 2) : formatTable(report, choice.goals));
  if (report.interrupted) return 130;
  return goalsMissed(report, choice.goals).length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = (error as Error).message;
    // The SDK directory names nodes by their Services' DNS names, which resolve only inside the cluster.
    const hint = /does not resolve/.test(message) ? "\n  from outside the chain's network give the nodes' URLs with --rpc (npm run local:up prints them)" : "";
    console.error(`bench failed: ${message}${hint}`);
    process.exit(1);
  },
);
