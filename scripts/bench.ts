import { formatProgress, formatTable, goalsMissed } from "../bench/report";
import { parseCli, UsageError, USAGE } from "../bench/cli-options";
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
  process.once("SIGINT", () => {
    process.stderr.write("[bench] interrupted: stopping, partial report follows\n");
    stop.abort();
  });
  const report = await runBench(choice.options, { signal: stop.signal, onProgress: (p) => process.stderr.write(`${formatProgress(p)}\n`) });
  console.log(choice.json ? JSON.stringify(report, (_, v) => (typeof v === "bigint" ? v.toString() : v), 2) : formatTable(report, choice.goals));
  if (report.interrupted) return 130;
  return goalsMissed(report, choice.goals).length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`bench failed: ${(error as Error).message}`);
    process.exit(1);
  },
);
