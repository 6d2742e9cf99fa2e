import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { componentLabels } from "../chain/labels";
import { verificationRequestName } from "../chain/naming";
import type { ChainSpec } from "../chain/spec";
import type { TlsMaterial, VerificationReport } from "../verify";

export interface HostVerificationInputs {
  /** Native RPC URLs reachable from where `pulumi up` runs (e.g. a kind NodePort mapped to 127.0.0.1:20200). */
  readonly rpc: readonly string[];
  readonly tls: TlsMaterial;
  readonly groupId: string;
  readonly expectNodeIds: readonly string[];
  readonly timeoutSeconds: number;
  readonly probe: boolean;
  readonly log?: (line: string) => void;
}

/** The hook body: verify the chain from this machine, and throw (with the report) when any check fails. */
export async function verifyFromHost(inputs: HostVerificationInputs): Promise<VerificationReport> {
  // Loaded here, not with the program: the verifier (ethers and the FISCO client) is only needed when the hook runs.
  const { formatText, runVerification } = require("../verify") as typeof import("../verify");
  const report = await runVerification({
    rpc: inputs.rpc.map((url, i) => ({ name: `rpc${i}`, url })),
    tls: inputs.tls,
    groupId: inputs.groupId,
    expect: { kind: "ids", ids: inputs.expectNodeIds },
    timeoutMs: inputs.timeoutSeconds * 1000,
    probe: inputs.probe,
    onProgress: inputs.log,
  });
  if (!report.ok) throw new Error(`post-deploy verification failed:\n${formatText(report)}`);
  inputs.log?.(formatText(report));
  return report;
}

export interface HostVerificationArgs {
  readonly spec: ChainSpec;
  readonly namespace: pulumi.Input<string>;
  /** Changes whenever the chain does: the hook runs after every create and update. */
  readonly runId: pulumi.Input<string>;
  readonly tls: pulumi.Input<TlsMaterial>;
  readonly expectNodeIds: pulumi.Input<readonly string[]>;
}

/**
 * Optional (verification.hostRpcEndpoints): a ResourceHook that runs the verifier from the machine running
 * `pulumi up`, after the workloads are up. It hangs off a small ConfigMap recording the run id, created after the
 * chart. A failing after-hook fails the update: the engine reports it as an error (pulumi 3.248, docs/e2e.md).
 */
export class HostVerification extends pulumi.ComponentResource {
  constructor(name: string, args: HostVerificationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("fisco-bcos:index:HostVerification", name, {}, opts);
    const inputs = pulumi.all([args.tls, args.expectNodeIds]);
    const verify = async () => {
      const [tls, expectNodeIds] = await new Promise<[TlsMaterial, readonly string[]]>((resolve) => inputs.apply(resolve));
      const { verification, groupId } = args.spec;
      await verifyFromHost({
        rpc: verification.hostRpcEndpoints,
        tls,
        groupId,
        expectNodeIds,
        timeoutSeconds: verification.timeoutSeconds,
        probe: verification.probeTransaction,
        log: (line) => pulumi.log.info(line, this),
      });
    };
    const hook = new pulumi.ResourceHook(`${name}-verify`, verify);
    new k8s.core.v1.ConfigMap(
      name,
      {
        metadata: { name: verificationRequestName(args.spec), namespace: args.namespace, labels: componentLabels(args.spec.chainName, "verification") },
        data: { runId: args.runId },
      },
      { parent: this, hooks: { afterCreate: [hook], afterUpdate: [hook] } },
    );
    this.registerOutputs({});
  }
}
