import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ChartValues } from "../chain/chart-values";
import { sha256Hex } from "../chain/digest";
import { genesisSettingChanges } from "../chain/genesis-settings";
import { genesisMemberNames } from "../chain/membership";
import { chainLabels, POD_SECURITY_LABELS } from "../chain/labels";
import { nodeConfigMapName, nodeSecretName, sdkSecretName } from "../chain/naming";
import { renderConfigIni } from "../chain/render/config-ini";
import { renderGenesis } from "../chain/render/genesis";
import { renderNodesJson } from "../chain/render/nodes-json";
import { renderEndpoints, renderEndpointsJson, renderGoSdkConfig, renderJavaSdkConfig, type Endpoints } from "../chain/render/sdk-configs";
import type { ChainSpec } from "../chain/spec";
import { ChainPki } from "./chain-pki";
import { ChainWorkloads } from "./chain-workloads";
import { AdminAccount, NodeConsensusKey } from "./consensus-identity";
import { GenesisRecord } from "./genesis-record";
import { NodeConfigObjects } from "./node-config-objects";
import { declaredMembers } from "./host-membership";
import { knownIds, knownInPreview } from "./preview-stand-in";
import { previousStackOutputs } from "./previous-outputs";
import { refusal } from "./refusal";
import { SdkSecret } from "./sdk-secret";
import type { VerificationOutput } from "./verification-report";
import { membershipChangeRefusals, parseDeclaredMembers } from "../chain/membership-guard";
import type { DeclaredMember } from "../chain/membership-plan";
import { formerNodeIds } from "../chain/former-members";

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
  /** Expiry (RFC 3339) of the CA, each node's TLS certificate and the SDK certificate: FISCO reads them only at start. */
  readonly certificateExpiry: pulumi.Output<{ ca: string; sdk: string; nodes: Record<string, string> }>;
  /** Client endpoints: the nodes that serve clients, and apart from them the declared nodes that are not members yet. */
  readonly endpoints: pulumi.Output<Endpoints>;
  /** Every node's name, consensus id, role and weight: recorded as a stack output, so the next update can check its change. */
  readonly declaredMembers: pulumi.Output<DeclaredMember[]>;
  /** Nodes earlier updates declared and this one does not (name → id): the membership step names them when it removes them. */
  readonly formerNodeIds: pulumi.Output<Record<string, string>>;
  readonly sdkSecretName: string;
  readonly chartValues: pulumi.Output<ChartValues>;
  /** The verification Job's report (block height, genesis hash, sealers, probe contract and transaction). */
  readonly verification: pulumi.Output<VerificationOutput>;

  constructor(name: string, args: FiscoBcosChainArgs, opts?: pulumi.ComponentResourceOptions) {
    super("fisco-bcos:index:FiscoBcosChain", name, {}, opts);
    const { spec } = args;
    const provider = chainProvider(name, spec, this);
    // Every Kubernetes object goes through the chain's provider (children inherit it).
    const parent = { parent: this, providers: { kubernetes: provider } };
    // Identity (keys, certificates, seeds, the genesis record; the volumes in NodeChart): with `protect`, the
    // engine refuses to delete or replace them. Config objects are not identity: they update in place.
    const identity = { ...parent, protect: spec.protect };

    // Kept on `pulumi destroy`: deleting a namespace deletes everything in it, the retained volumes and genesis too.
    const namespace = spec.createNamespace
      ? new k8s.core.v1.Namespace(
          `${name}-namespace`,
          { metadata: { name: spec.namespace, labels: { ...chainLabels(spec.chainName), ...POD_SECURITY_LABELS } } },
          { parent: this, provider, retainOnDelete: true },
        ).metadata.name
      : pulumi.output(spec.namespace);

    const pki = new ChainPki(`${name}-pki`, { nodeNames: spec.nodes.map((n) => n.name), validityDays: spec.certificates.validityDays }, identity);
    const keys = Object.fromEntries(spec.nodes.map((n) => [n.name, new NodeConsensusKey(`${name}-${n.name}-consensus`, identity)]));
    const admin = new AdminAccount(`${name}-admin`, identity);

    this.nodeIds = pulumi.all(Object.fromEntries(Object.entries(keys).map(([node, key]) => [node, key.nodeId])));
    this.adminAddress = admin.address;
    this.adminPrivateKey = admin.privateKeyHex;
    const wantedGenesis = pulumi.all([this.nodeIds, admin.address]).apply(([nodeIds, adminAddress]) => renderGenesis(spec, { nodeIds, adminAddress }));
    const recorded = new GenesisRecord(`${name}-genesis`, { chainName: spec.chainName, namespace, genesis: wantedGenesis }, identity).genesis;
    // A preview does not know the ids of nodes the update adds; they cannot be in the recorded genesis. Without them
    // the check waits for the update, and the genesis (known from the record) stays known for the chart's values.
    const previewIds = pulumi.all(Object.fromEntries(Object.entries(keys).map(([node, key]) => [node, knownInPreview(key.nodeId, undefined)])));
    // Everything the nodes and clients get follows from this checked genesis: a refused change stops them all.
    this.genesis = checkedGenesis(recorded, knownInPreview(wantedGenesis, undefined), previewIds, this);
    this.genesisDigest = this.genesis.apply(sha256Hex);
    this.caCertPem = pki.caCertPem;
    const nodeExpiry = pulumi.all(Object.fromEntries(spec.nodes.map((n) => [n.name, pki.nodes[n.name].expires])));
    this.certificateExpiry = pulumi.all([pki.caExpires, pki.sdk.expires, nodeExpiry]).apply(([ca, sdk, nodes]) => ({ ca, sdk, nodes }));
    // A node reads its certificates and key only at start: a digest of the public parts rolls it when they change.
    const identityDigests = pulumi.all(
      Object.fromEntries(
        spec.nodes.map((n) => {
          const digest = pulumi.all([pki.caCertPem, pki.nodes[n.name].certPem, keys[n.name].nodeId]).apply((parts) => sha256Hex(parts.join("\n")));
          // Keys the update makes: their StatefulSet changes (or is created) anyway.
          return [n.name, knownInPreview(digest, "new identity: made by the update")];
        }),
      ),
    );

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
          conf: {
            caCert: pki.caCertPem,
            sslCert: tlsIdentity.certPem,
            sslKey: tlsIdentity.keyPem,
            nodePem: keys[node.name].pem,
            nodeId: keys[node.name].nodeId,
          },
          files: { configIni, genesis: this.genesis, nodesJson },
        },
        parent,
      );
    });

    this.sdkSecretName = sdkSecretName(spec);
    this.declaredMembers = this.nodeIds.apply((ids) => declaredMembers(spec, ids));
    const previousOutput = previousStackOutputs(this);
    const recordedMembers = previousOutput("declaredMembers");
    this.formerNodeIds = pulumi.all([previousOutput("formerNodeIds"), recordedMembers, previewIds]).apply(([former, members, ids]) =>
      formerNodeIds(
        former,
        parseDeclaredMembers(members),
        spec.nodes.map((n) => ({ name: n.name, nodeId: ids[n.name] })),
      ),
    );
    // Refused before anything changes (a preview too): a change of sealers that the chain could not survive.
    const membershipChecked = checkedMembershipChange(spec, recordedMembers, previewIds, this);
    const members = pulumi.all([this.genesis, previewIds, membershipChecked]).apply(([genesis, ids]) => genesisMemberNames(spec.nodes, genesis, knownIds(ids)));
    const clientView = members.apply((names) => ({ ...spec, members: names }));
    this.endpoints = clientView.apply(renderEndpoints);
    const sdk = new SdkSecret(
      `${name}-sdk`,
      {
        chainName: spec.chainName,
        namespace,
        secretName: this.sdkSecretName,
        caCert: pki.caCertPem,
        cert: pki.sdk.certPem,
        key: pki.sdk.keyPem,
        javaConfig: clientView.apply(renderJavaSdkConfig),
        goConfig: clientView.apply(renderGoSdkConfig),
        endpointsJson: clientView.apply(renderEndpointsJson),
      },
      parent,
    );

    const sdkTls = pulumi.all([pki.caCertPem, pki.sdk.certPem, pki.sdk.keyPem]).apply(([ca, cert, key]) => ({ ca, cert, key }));
    const workloadArgs = {
      spec,
      namespace,
      genesis: this.genesis,
      configIni,
      sdkTls,
      configObjects: [...nodeObjects, sdk],
      provider,
      members,
      identityDigests,
    };
    const identityArgs = {
      nodeIds: this.nodeIds,
      previewNodeIds: previewIds,
      adminPrivateKey: this.adminPrivateKey,
      adminAddress: this.adminAddress,
      formerNodeIds: this.formerNodeIds,
    };
    const workloads = new ChainWorkloads(name, { ...workloadArgs, ...identityArgs }, parent);
    this.chartValues = workloads.chartValues;
    this.verification = workloads.verification;

    this.registerOutputs({ nodeIds: this.nodeIds, adminAddress: this.adminAddress, genesisDigest: this.genesisDigest });
  }
}

/**
 * The Kubernetes provider of the chain's objects: the stack's kubeconfig context (`kubernetes.context`), and
 * ConfigMaps and Secrets updated in place, since pulumi-kubernetes otherwise replaces one whose data changes
 * (provider/pkg/provider/diff.go), which a protected object refuses and which a rolling config change does not want.
 */
function chainProvider(name: string, spec: ChainSpec, parent: pulumi.Resource): k8s.Provider {
  // No context in the cluster: pulumi-kubernetes then uses the pod's service account (no kubeconfig exists there).
  const context = spec.kubernetes.inCluster ? undefined : spec.kubernetes.context;
  return new k8s.Provider(`${name}-kubernetes`, { context, enableConfigMapMutable: true, enableSecretMutable: true }, { parent });
}

/**
 * The recorded genesis, once compared with what the stack would write now: a changed genesis-only setting stops the
 * program (at preview, before anything changes); sealer-list and compatibility differences are warnings.
 */
export function checkedGenesis(
  recorded: pulumi.Output<string>,
  wanted: pulumi.Output<string | undefined>,
  nodeIds: pulumi.Output<Record<string, string | undefined>>,
  resource: pulumi.Resource,
): pulumi.Output<string> {
  return pulumi.all([recorded, wanted, nodeIds]).apply(([r, w, ids]) => {
    // Only in a preview that adds nodes (their ids are made by the update): the update runs the check.
    if (w === undefined) return r;
    const names = Object.fromEntries(Object.entries(knownIds(ids)).map(([node, id]) => [id, node]));
    const { refusals, warnings } = genesisSettingChanges(r, w, names);
    for (const message of warnings) pulumi.log.warn(`the genesis is fixed at creation and kept: ${message}`, resource);
    if (refusals.length > 0) throw refusal(`genesis-only settings changed after the chain was created:\n  ${refusals.join("\n  ")}`, resource);
    return r;
  });
}

/**
 * The declared set against the one the last update recorded (chain/membership-guard.ts); throws a refusal with the
 * numbers when the change is refused. A node whose id a preview does not know yet counts as `new:<name>`.
 */
function checkedMembershipChange(
  spec: ChainSpec,
  previous: pulumi.Output<unknown>,
  nodeIds: pulumi.Output<Record<string, string | undefined>>,
  resource: pulumi.Resource,
): pulumi.Output<true> {
  return pulumi.all([previous, nodeIds]).apply(([recorded, ids]) => {
    const next = declaredMembers(spec, Object.fromEntries(spec.nodes.map((n) => [n.name, ids[n.name] ?? `new:${n.name}`])));
    const refusals = membershipChangeRefusals(parseDeclaredMembers(recorded), next);
    if (refusals.length > 0) {
      throw refusal(`this change of sealers and observers is refused (the chain could stop):\n  ${refusals.join("\n  ")}`, resource);
    }
    return true as const;
  });
}
