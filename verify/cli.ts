import { USAGE, UsageError, parseCli } from "./cli-options";
import { formatJson, formatText } from "./report";
import { runVerification } from "./run";

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

const processIo: CliIo = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) };

/** The verifier CLI: 0 healthy, 1 a check failed (or the verifier itself broke), 2 bad usage. */
export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  let choice: ReturnType<typeof parseCli>;
  try {
    choice = parseCli(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`verify: ${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (choice === "help") {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  try {
    const report = await runVerification({ ...choice.options, onProgress: (line) => io.stderr(`verify: ${line}\n`) });
    io.stdout(choice.json ? formatJson(report) : formatText(report));
    return report.ok ? 0 : 1;
  } catch (error) {
    io.stderr(`verify: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
