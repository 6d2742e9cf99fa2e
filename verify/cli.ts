import { parsedOrExitCode } from "../cli/flags";
import { USAGE, parseCli } from "./cli-options";
import { inClusterAccess, writeReportConfigMap, type ApiAccess } from "./report-configmap";
import { formatJson, formatText } from "./report";
import { runVerification } from "./run";

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** The environment --report-configmap looks at (process.env by default). */
  readonly env?: NodeJS.ProcessEnv;
  /** How --report-configmap reaches the Kubernetes API (the pod's service account by default). */
  readonly reportAccess?: () => ApiAccess;
}

/** The Kubernetes API as this pod sees it; a usage error anywhere else. */
function apiAccess(io: CliIo, namespace: string | undefined): ApiAccess {
  const env = io.env ?? process.env;
  if (!io.reportAccess && !env.KUBERNETES_SERVICE_HOST) throw new Error("not inside a Kubernetes pod (KUBERNETES_SERVICE_HOST is not set)");
  let access: ApiAccess;
  try {
    access = io.reportAccess ? io.reportAccess() : inClusterAccess(env);
  } catch (error) {
    throw new Error(
      `cannot read the pod's service account (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); is automountServiceAccountToken off?`,
      { cause: error },
    );
  }
  return namespace ? { ...access, namespace } : access;
}

const processIo: CliIo = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) };

function usage(io: CliIo, message: string): number {
  io.stderr(`verify: ${message}\n\n${USAGE}\n`);
  return 2;
}

/** The verifier CLI: 0 healthy, 1 a check failed (or the verifier itself broke), 2 bad usage. */
export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const choice = parsedOrExitCode("verify", USAGE, () => parseCli(argv), io);
  if (typeof choice === "number") return choice;
  let access: ApiAccess | undefined;
  if (choice.report) {
    try {
      access = apiAccess(io, choice.report.namespace);
    } catch (error) {
      return usage(io, `--report-configmap: ${(error as Error).message}`);
    }
  }
  try {
    const report = await runVerification({ ...choice.options, onProgress: (line) => io.stderr(`verify: ${line}\n`) });
    io.stdout(choice.json ? formatJson(report) : formatText(report));
    if (access && choice.report) {
      await writeReportConfigMap(choice.report.name, formatJson(report), access);
      io.stderr(`verify: report written to ConfigMap ${access.namespace}/${choice.report.name}\n`);
    }
    return report.ok ? 0 : 1;
  } catch (error) {
    io.stderr(`verify: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
