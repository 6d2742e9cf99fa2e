import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { chartValues, type ChartValues } from "../chain/chart-values";
import { filesDigest, sha256Hex } from "../chain/digest";
import type { ChainSpec } from "../chain/spec";
import type { TlsMaterial } from "../fisco/rpc-client";
import { componentLabels } from "../chain/labels";
import { benchBundleName, membersBundleName, membershipAdminSecretName, readinessBundleName, verifierBundleName } from "../chain/naming";
import { shippedFiles } from "../shipped";
import { verificationRun } from "../chain/verification-run";
import { readVerificationReport, type VerificationOutput } from "./verification-report";
import { HostMembership } from "./host-membership";
import { HostVerification } from "./host-verification";
import { NodeChart } from "./node-chart";
import { knownIds } from "./preview-stand-in";
import { ScriptBundle } from "./script-bundle";

export interface ChainWorkloadsArgs {
  readonly spec: ChainSpec;
  readonly namespace: pulumi.Input<string>;
  /** The recorded genesis and the rendered config.ini: what the nodes run with. */
  readonly genesis: pulumi.Output<string>;
  readonly configIni: string;
  /** The SDK identity, for verifying from the host (verification.hostRpcEndpoints). */
  readonly sdkTls: pulumi.Output<TlsMaterial>;
  /** The Secrets and ConfigMaps the workloads mount. */
  readonly configObjects: readonly pulumi.Resource[];
  readonly provider: k8s.Provider;
  /** The nodes that serve clients (members of the group): the client Services select only them. */
  readonly members: pulumi.Output<string[]>;
  /** Per node, a digest of its certificates and node id: part of the node's config checksum, so a renewal rolls it. */
  readonly identityDigests: pulumi.Output<Record<string, string>>;
  /** Every node's consensus id and the genesis admin key: what the membership hook (membership.hostRpcEndpoints) needs. */
  readonly nodeIds: pulumi.Output<Record<string, string>>;
  /** The same ids, where a preview does not know a new node's id yet: undefined (the chart's values stay known). */
  readonly previewNodeIds: pulumi.Output<Record<string, string | undefined>>;
  readonly adminPrivateKey: pulumi.Output<string>;
  readonly adminAddress: pulumi.Output<string>;
  /** Nodes earlier updates declared and this one does not (name → id): the membership step names removed nodes by it. */
  readonly formerNodeIds: pulumi.Output<Record<string, string>>;
}

/**
 * The node workloads (charts/fisco-bcos) and the post-deploy verification: chart values, the verifier bundle, the
 * chart itself unless GitOps installs it, the optional membership step (a host hook, or the chart's Job with its bundle
 * and admin key Secret), the optional host verification, and the verification report.
 */
export class ChainWorkloads extends pulumi.ComponentResource {
  /** Values for Helm and GitOps (`pulumi stack output chartValues`): the verification Job is a Helm hook there. */
  readonly chartValues: pulumi.Output<ChartValues>;
  readonly verification: pulumi.Output<VerificationOutput>;

  constructor(name: string, args: ChainWorkloadsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("fisco-bcos:index:ChainWorkloads", name, {}, opts);
    const { spec, namespace } = args;
    const bundle = (suffix: string, configMapName: string, files: () => Promise<Record<string, string>>) =>
      new ScriptBundle(`${name}-${suffix}`, { chainName: spec.chainName, namespace, configMapName, files: files() }, { parent: this });
    const verifier = spec.verification.enabled ? bundle("verifier", verifierBundleName(spec), () => shippedFiles("verifier")) : undefined;
    const bench = spec.bench.enabled ? bundle("bench", benchBundleName(spec), () => shippedFiles("bench")) : undefined;
    const readiness = spec.readiness.enabled ? bundle("readiness", readinessBundleName(spec), () => shippedFiles("readiness")) : undefined;
    const hostMembership = spec.membership.hostRpcEndpoints.length > 0;
    // The chart's membership Job (membership.inCluster) runs the members bundle with the admin key from its Secret.
    const members = spec.membership.inCluster ? bundle("members", membersBundleName(spec), () => shippedFiles("members")) : undefined;
    const adminKey = spec.membership.inCluster ? this.membershipAdminSecret(name, args) : undefined;
    const membershipRun = pulumi
      .all([members?.digest, args.previewNodeIds, args.adminAddress, args.formerNodeIds])
      .apply(([bundleDigest, ids, adminAddress, formerNodeIds]) =>
        bundleDigest ? { bundleDigest, nodeIds: knownIds(ids), adminAddress, formerNodeIds } : undefined,
      );
    // After a membership step the chain's sealers are the declared ones: verification expects those.
    const declaredSealers = args.previewNodeIds.apply((ids) => spec.nodes.filter((n) => n.role === "sealer" && ids[n.name]).map((n) => ids[n.name]!));
    const inputs = pulumi.all([
      args.genesis,
      verifier?.digest,
      bench?.digest,
      args.members,
      args.identityDigests,
      readiness?.digest,
      membershipRun,
      declaredSealers,
    ]);
    const valuesFor = (hook: boolean) =>
      inputs.apply(([genesis, verifierDigest, benchDigest, members, identity, readinessDigest, membership, sealers]) => {
        // nodes.json is left out: nodes pick up a new peer list live (SIGUSR1 from the chart's peer-reload sidecar).
        const checksums = Object.fromEntries(
          spec.nodes.map((n) => [n.name, filesDigest({ "config.ini": args.configIni, "config.genesis": genesis, conf: identity[n.name] })]),
        );
        const workloads = { configChecksums: checksums, genesisDigest: sha256Hex(genesis), members, readinessBundleDigest: readinessDigest };
        const withMembership = { ...workloads, membership, hook };
        const planned = verifierDigest ? verificationRun(genesis, chartValues(spec, withMembership), verifierDigest, hook) : undefined;
        // With the membership hook, the sealer set changes after the chart (and its Job) are applied: the Job checks
        // that the chain works, and the host verification, after membership, checks the set against the stack. The
        // membership Job runs before the verification Job, which then expects the declared sealers.
        const expectNodeIds = hostMembership ? [] : membership ? sealers : planned?.expectNodeIds;
        const run = planned && expectNodeIds ? { ...planned, expectNodeIds } : planned;
        return chartValues(spec, { ...withMembership, verification: run, benchBundleDigest: benchDigest });
      });
    this.chartValues = valuesFor(true);

    if (spec.workloads.manager === "gitops") {
      this.verification = pulumi.output({
        status: `run by the GitOps tool as the chart's post-install/post-upgrade hook; report in ConfigMap ${spec.chainName}-verification`,
      });
    } else {
      // Pulumi's Chart v4 skips Helm hooks: here the Job is a plain object the chart orders after the nodes.
      const values = valuesFor(false);
      const optional: (pulumi.Resource | undefined)[] = [verifier, bench, readiness, members, adminKey];
      const dependsOn = [...args.configObjects, ...optional.filter((r): r is pulumi.Resource => r !== undefined)];
      const workloadArgs = { releaseName: spec.chainName, namespace, values, provider: args.provider, protectVolumes: spec.protect };
      const workloads = new NodeChart(`${name}-workloads`, workloadArgs, { parent: this, dependsOn });
      // Membership first (new nodes join, weights follow the stack), then the host verification sees the result.
      const afterWorkloads: pulumi.Resource[] = [workloads];
      if (hostMembership) {
        const runId = values.apply((v) => sha256Hex(JSON.stringify(v)));
        const membershipArgs = {
          spec,
          namespace,
          runId,
          tls: args.sdkTls,
          nodeIds: args.nodeIds,
          adminKey: args.adminPrivateKey,
          formerNodeIds: args.formerNodeIds,
        };
        afterWorkloads.push(new HostMembership(`${name}-host-membership`, membershipArgs, { parent: this, dependsOn: [workloads] }));
      }
      if (verifier && spec.verification.hostRpcEndpoints.length > 0) {
        const run = values.apply((v) => v.verification as { runId: string; expectNodeIds: string[] });
        const expectNodeIds = hostMembership ? declaredSealers : run.apply((r) => r.expectNodeIds);
        const hostArgs = { spec, namespace, runId: run.apply((r) => r.runId), expectNodeIds, tls: args.sdkTls };
        new HostVerification(`${name}-host-verification`, hostArgs, { parent: this, dependsOn: afterWorkloads });
      }
      this.verification = readVerificationReport(spec, namespace, workloads, this);
    }
    this.registerOutputs({ chartValues: this.chartValues });
  }

  /**
   * The Secret with the genesis admin key that the chart's membership Job mounts (membership.inCluster): in the
   * cluster, readable by whoever may read Secrets in the namespace.
   */
  private membershipAdminSecret(name: string, args: ChainWorkloadsArgs): k8s.core.v1.Secret {
    const { spec } = args;
    return new k8s.core.v1.Secret(
      `${name}-membership-admin`,
      {
        metadata: { name: membershipAdminSecretName(spec), namespace: args.namespace, labels: componentLabels(spec.chainName, "membership") },
        type: "Opaque",
        stringData: { "admin.key": args.adminPrivateKey },
      },
      { parent: this, additionalSecretOutputs: ["data", "stringData"] },
    );
  }
}
