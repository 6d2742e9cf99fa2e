import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { chartValues, type ChartValues } from "../chain/chart-values";
import { filesDigest, sha256Hex } from "../chain/digest";
import { genesisDrift } from "../chain/genesis-drift";
import { chainLabels } from "../chain/labels";
import { nodeConfigMapName, nodeSecretName, sdkSecretName } from "../chain/naming";
import { renderConfigIni } from "../chain/render/config-ini";
import { renderGenesis } from "../chain/render/genesis";
import { renderNodesJson } from "../chain/render/nodes-json";
import { renderEndpoints, renderEndpointsJson, renderGoSdkConfig, renderJavaSdkConfig, type Endpoints } from "../chain/render/sdk-configs";
import type { ChainSpec } from "../chain/spec";
import { ChainPki } from "./chain-pki";
import { readVerificationReport, VerifierBundle, verificationRun } from "./chain-verification";
import { AdminAccount, NodeConsensusKey } from "./consensus-identity";
import { GenesisRecord } from "./genesis-record";
import { HostVerification } from "./host-verification";
import { NodeConfigObjects } from "./node-config-objects";
import { NodeWorkloads } from "./node-workloads";
import { SdkBundle } from "./sdk-bundle";

export interface FiscoBcosChainArgs {
  readonly spec: ChainSpec;
}

/** The one component a program instantiates: identity, configuration and Kubernetes objects of a FISCO BCOS chain. */
export class FiscoBcosChain extends pulumi.ComponentResource {
  readonly nodeIds: pulumi.Output<Record<string, string>>;
  readonly adminAddress: pulumi.Output<string>;
  /** Secret. The governor key: needed later for system config, features and balances. */
  readonly adminPrivateKey: pulumi.Output<string>;
  readonly genesis: pulumi.Output<string>;
  readonly genesisDigest: pulumi.Output<string>;
  readonly caCertPem: pulumi.Output<string>;
  readonly endpoints: Endpoints;
  readonly sdkSecretName: string;
  readonly chartValues: pulumi.Output<ChartValues>;
  /** The verification Job's report (block height, genesis hash, sealers, probe contract and transaction). */
  readonly verification: pulumi.Output<unknown>;

  constructor(name: string, args: FiscoBcosChainArgs, opts?: pulumi.ComponentResourceOptions) {
    super("fisco-bcos:index:FiscoBcosChain", name, {}, opts);
    const { spec } = args;
    const parent = { parent: this };
    // Key material and the genesis record: with `protect`, `pulumi destroy` refuses to delete them (children inherit it).
    const identity = { parent: this, protect: spec.protect };

    const namespace = spec.createNamespace
      ? new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: { name: spec.namespace, labels: chainLabels(spec.chainName) } }, parent).metadata.name
      : pulumi.output(spec.namespace);

    const pki = new ChainPki(`${name}-pki`, { nodeNames: spec.nodes.map((n) => n.name), validityDays: spec.certificates.validityDays }, identity);
    const keys = Object.fromEntries(spec.nodes.map((n) => [n.name, new NodeConsensusKey(`${name}-${n.name}-consensus`, identity)]));
    const admin = new AdminAccount(`${name}-admin`, identity);

    this.nodeIds = pulumi.all(Object.fromEntries(Object.entries(keys).map(([node, key]) => [node, key.nodeId])));
    this.adminAddress = admin.address;
    this.adminPrivateKey = admin.privateKeyHex;
    const wantedGenesis = pulumi.all([this.nodeIds, admin.address]).apply(([nodeIds, adminAddress]) => renderGenesis(spec, { nodeIds, adminAddress }));
    this.genesis = new GenesisRecord(`${name}-genesis`, { chainName: spec.chainName, namespace, genesis: wantedGenesis }, identity).genesis;
    warnAboutGenesisDrift(this.genesis, wantedGenesis, this.nodeIds, this);
    this.genesisDigest = this.genesis.apply(sha256Hex);
    this.caCertPem = pki.caCertPem;

    const configIni = renderConfigIni(spec);
    const nodesJson = renderNodesJson(spec);
    const nodeObjects = spec.nodes.map((node) => {
      const tlsIdentity = pki.nodes[node.name];
      return new NodeConfigObjects(
        `${name}-${node.name}`,
        {
          chainName: spec.chainName,
          namespace,
          nodeName: node.name,
          secretName: nodeSecretName(spec, node),
          configMapName: nodeConfigMapName(spec, node),
          conf: { caCert: pki.caCertPem, sslCert: tlsIdentity.certPem, sslKey: tlsIdentity.keyPem, nodePem: keys[node.name].pem, nodeId: keys[node.name].nodeId },
          files: { configIni, genesis: this.genesis, nodesJson },
        },
        identity,
      );
    });

    this.sdkSecretName = sdkSecretName(spec);
    this.endpoints = renderEndpoints(spec);
    const sdk = new SdkBundle(
      `${name}-sdk`,
      {
        chainName: spec.chainName,
        namespace,
        secretName: this.sdkSecretName,
        caCert: pki.caCertPem,
        cert: pki.sdk.certPem,
        key: pki.sdk.keyPem,
        javaConfig: renderJavaSdkConfig(spec),
        goConfig: renderGoSdkConfig(spec),
        endpointsJson: renderEndpointsJson(spec),
      },
      identity,
    );

    const verifier = spec.verification.enabled ? new VerifierBundle(`${name}-verifier`, { spec, namespace }, parent) : undefined;
    const valuesFor = (genesis: string, hook: boolean) => {
      // nodes.json is left out: nodes pick up a new peer list live (SIGUSR1 from the chart's peer-reload sidecar).
      const checksum = filesDigest({ "config.ini": configIni, "config.genesis": genesis });
      const checksums = Object.fromEntries(spec.nodes.map((n) => [n.name, checksum]));
      const run = verifier && verificationRun(genesis, chartValues(spec, checksums), verifier.digest, hook);
      return chartValues(spec, checksums, run);
    };
    // For GitOps the Job is a Helm hook; Pulumi's Chart v4 skips hooks, so here it is a plain Job ordered after the nodes.
    this.chartValues = this.genesis.apply((genesis) => valuesFor(genesis, true));
    if (spec.workloads.manager === "gitops") {
      // Argo CD or Flux installs charts/fisco-bcos with `chartValues`; the stack keeps identity and configuration.
      this.verification = pulumi.output({ status: `run by the GitOps tool as the chart's post-install/post-upgrade hook; report in ConfigMap ${spec.chainName}-verification` });
    } else {
      const pulumiValues = this.genesis.apply((genesis) => valuesFor(genesis, false));
      const workloads = new NodeWorkloads(
        `${name}-workloads`,
        { releaseName: spec.chainName, namespace, values: pulumiValues },
        { parent: this, dependsOn: [...nodeObjects, sdk, ...(verifier ? [verifier] : [])] },
      );
      if (verifier && spec.verification.hostRpcEndpoints.length > 0) {
        const run = pulumiValues.apply((values) => values.verification as { runId: string; expectNodeIds: string[] });
        new HostVerification(
          `${name}-host-verification`,
          {
            spec,
            namespace,
            runId: run.apply((r) => r.runId),
            expectNodeIds: run.apply((r) => r.expectNodeIds),
            tls: pulumi.all([pki.caCertPem, pki.sdk.certPem, pki.sdk.keyPem]).apply(([ca, cert, key]) => ({ ca, cert, key })),
          },
          { parent: this, dependsOn: [workloads] },
        );
      }
      this.verification = readVerificationReport(spec, namespace, workloads, this);
    }

    this.registerOutputs({ nodeIds: this.nodeIds, adminAddress: this.adminAddress, genesisDigest: this.genesisDigest });
  }
}

function warnAboutGenesisDrift(
  recorded: pulumi.Output<string>,
  wanted: pulumi.Output<string>,
  nodeIds: pulumi.Output<Record<string, string>>,
  resource: pulumi.Resource,
): void {
  pulumi.all([recorded, wanted, nodeIds]).apply(([r, w, ids]) => {
    const names = Object.fromEntries(Object.entries(ids).map(([node, id]) => [id, node]));
    for (const message of genesisDrift(r, w, names)) pulumi.log.warn(`the genesis is fixed at creation and kept: ${message}`, resource);
  });
}
