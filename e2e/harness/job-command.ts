import { runCli } from "../../verify/cli";
import type { Cluster } from "./cluster";

/** A Secret's `data` as the API server returns it (base64 values), decoded to text. */
export const decodeSecretData = (data: Record<string, string> | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(data ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")]));

/**
 * What the verification Job's container would do, run from this host (kwok runs no container): the verifier CLI with
 * the Job's own arguments, `--sdk-dir` pointed at `sdkDir` and `--rpc` at `rpc`, writing its report with a token of
 * the chart's verifier ServiceAccount. `tokenError`: no token could be made (nothing was run).
 */
export async function runVerifierJobCommand(
  cluster: Cluster,
  ns: string,
  chain: string,
  job: any,
  sdkDir: string,
  rpc: readonly string[],
): Promise<{ code: number; out: string; tokenError?: string }> {
  const container = job.spec.template.spec.containers[0];
  const args: string[] = container.args.map((a: string) => (a.startsWith("--sdk-dir=") ? `--sdk-dir=${sdkDir}` : a));
  args.push(`--rpc=${rpc.join(",")}`);
  const token = await cluster.kubectl(["create", "token", `${chain}-verifier`, "-n", ns, "--duration=10m"]);
  if (token.code !== 0) return { code: 1, out: "", tokenError: token.stderr };
  const api = cluster.apiServer();
  const out: string[] = [];
  const code = await runCli(args, {
    stdout: (t) => out.push(t),
    stderr: (t) => out.push(t),
    reportAccess: () => ({ server: api.server, token: token.stdout.trim(), ca: api.ca, namespace: ns }),
  });
  return { code, out: out.join("") };
}
