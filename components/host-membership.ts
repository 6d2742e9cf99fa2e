import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { componentLabels } from "../chain/labels";
import type { FormerNodeIds } from "../chain/former-members";
import type { DeclaredMember } from "../chain/membership-plan";
import { membershipRequestName } from "../chain/naming";
import type { ChainSpec } from "../chain/spec";
import type { TlsMaterial } from "../fisco/rpc-client";
import type { MembershipReport } from "../members/apply";

export interface HostMembershipInputs {
  readonly rpc: readonly string[];
  readonly tls: TlsMaterial;
  readonly groupId: string;
  readonly chainId: string;
  readonly authCheck: boolean;
  readonly declared: readonly DeclaredMember[];
  /** The genesis admin account's 0x-hex private key. Never printed. */
  readonly adminKey: string;
  readonly syncTimeoutSeconds: number;
  readonly log?: (line: string) => void;
  /** Nodes earlier updates declared and this one does not (stack output formerNodeIds): names them when removed. */
  readonly formerNodeIds?: FormerNodeIds;
}

/** The declared set: every node of the stack, its id, role and weight. */
export function declaredMembers(spec: ChainSpec, nodeIds: Readonly<Record<string, string>>): DeclaredMember[] {
  return spec.nodes.map((n) => ({ name: n.name, nodeId: nodeIds[n.name], role: n.role, weight: n.weight }));
}

/**
 * The hook body: bring the on-chain sealers and observers to the declared set from this machine (members/, the
 * executor `npm run members` runs), and throw with the report when the chain does not match at the end.
 * @returns the report (it holds the admin's address, never its key).
 */
export async function membershipFromHost(inputs: HostMembershipInputs): Promise<MembershipReport> {
  // Loaded here, not with the program: the executor is only needed when the hook runs.
  const { applyMembershipAt } = require("../members/at-endpoints") as typeof import("../members/at-endpoints");
  const { formatText } = require("../members/report") as typeof import("../members/report");
  const report = await applyMembershipAt({
    endpoints: inputs.rpc.map((url, i) => ({ name: `rpc${i}`, url })),
    tls: inputs.tls,
    group: inputs.groupId,
    nameByNodeId: true,
    declared: inputs.declared,
    adminKey: inputs.adminKey,
    declaredAuthCheck: inputs.authCheck,
    chainId: inputs.chainId,
    dryRun: false,
    timing: { syncMs: inputs.syncTimeoutSeconds * 1000 },
    progress: inputs.log,
    formerNodeIds: inputs.formerNodeIds,
  });
  if (!report.ok) throw new Error(`membership: the chain does not match the stack's sealers and observers:\n${formatText(report)}`);
  inputs.log?.(formatText(report));
  return report;
}

export interface HostMembershipArgs {
  readonly spec: ChainSpec;
  readonly namespace: pulumi.Input<string>;
  /** Changes whenever the chain does: the hook runs after every create and update. */
  readonly runId: pulumi.Input<string>;
  readonly tls: pulumi.Input<TlsMaterial>;
  readonly nodeIds: pulumi.Input<Record<string, string>>;
  readonly adminKey: pulumi.Input<string>;
  /** Nodes earlier updates declared and this one does not (name → id). */
  readonly formerNodeIds?: pulumi.Input<Record<string, string>>;
}

/**
 * Optional (membership.hostRpcEndpoints): a ResourceHook that runs the membership executor from the machine running
 * `pulumi up` once the workloads are up, so a node added to the stack joins as an observer and, once synced, as a
 * sealer; weights follow the stack; nodes no longer declared leave consensus. The admin key never leaves that machine.
 * It hangs off a small ConfigMap recording the run id and the declared set; a failing hook fails the update.
 */
export class HostMembership extends pulumi.ComponentResource {
  constructor(name: string, args: HostMembershipArgs, opts?: pulumi.ComponentResourceOptions) {
    super("fisco-bcos:index:HostMembership", name, {}, opts);
    const { spec } = args;
    const inputs = pulumi.all([args.tls, args.nodeIds, args.adminKey, args.formerNodeIds]);
    const apply = async () => {
      const [tls, nodeIds, adminKey, formerNodeIds] = await new Promise<[TlsMaterial, Record<string, string>, string, Record<string, string> | undefined]>(
        (resolve) => inputs.apply(resolve),
      );
      await membershipFromHost({
        rpc: spec.membership.hostRpcEndpoints,
        tls,
        groupId: spec.groupId,
        chainId: spec.chainId,
        authCheck: spec.authCheck,
        declared: declaredMembers(spec, nodeIds),
        adminKey,
        syncTimeoutSeconds: spec.membership.syncTimeoutSeconds,
        log: (line) => pulumi.log.info(`membership: ${line}`, this),
        formerNodeIds,
      });
    };
    const hook = new pulumi.ResourceHook(`${name}-apply`, apply);
    const declared = pulumi.output(args.nodeIds).apply((ids) => JSON.stringify(declaredMembers(spec, ids)));
    new k8s.core.v1.ConfigMap(
      name,
      {
        metadata: { name: membershipRequestName(spec), namespace: args.namespace, labels: componentLabels(spec.chainName, "membership") },
        data: { runId: args.runId, declared },
      },
      { parent: this, hooks: { afterCreate: [hook], afterUpdate: [hook] } },
    );
    this.registerOutputs({});
  }
}
