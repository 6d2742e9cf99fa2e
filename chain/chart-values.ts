import { sha256Hex } from "./digest";
import { CHART_DEFAULT_CLIENT_LABELS, replacingChartDefaults } from "./labels";
import { declaredSealerNames } from "./membership";
import { rolloutWaves } from "./rollout";
import {
  benchBundleName,
  membersBundleName,
  membershipAdminSecretName,
  nodeConfigMapName,
  nodeSecretName,
  readinessBundleName,
  sdkSecretName,
  verifierBundleName,
} from "./naming";
import type { FormerNodeIds } from "./former-members";
import type { ChainSpec } from "./spec";
import type { VerificationRun } from "./verification-run";

export type { VerificationRun } from "./verification-run";

export function verificationValues(spec: ChainSpec, run?: VerificationRun) {
  if (!spec.verification.enabled || !run) return { enabled: false };
  return {
    enabled: true,
    hook: run.hook,
    runId: run.runId,
    image: { ...spec.verification.image, pullPolicy: spec.imagePullPolicy },
    bundleConfigMap: verifierBundleName(spec),
    sdkSecretName: sdkSecretName(spec),
    expectNodeIds: [...run.expectNodeIds],
    timeoutSeconds: spec.verification.timeoutSeconds,
    probeTransaction: spec.verification.probeTransaction,
  };
}

/**
 * The optional load-generator Job: native transactions through the SDK Secret (so it needs no web3); `bundleDigest`
 * (of the bench bundle) and the settings make its run id.
 */
export function benchValues(spec: ChainSpec, bundleDigest?: string) {
  if (!spec.bench.enabled || !bundleDigest) return { enabled: false };
  const { txs, concurrency, senders, seed, timeoutSeconds } = spec.bench;
  return {
    enabled: true,
    runId: sha256Hex(JSON.stringify([spec.bench, bundleDigest])).slice(0, 16),
    image: { ...spec.verification.image, pullPolicy: spec.imagePullPolicy },
    bundleConfigMap: benchBundleName(spec),
    sdkSecretName: sdkSecretName(spec),
    txs,
    concurrency,
    senders,
    seed,
    timeoutSeconds,
  };
}

/** What the in-cluster membership Job needs besides the spec. */
export interface MembershipRun {
  /** Digest of the members bundle (the ConfigMap the Job runs). */
  readonly bundleDigest: string;
  /** Node name → 128-hex consensus id, every declared node. */
  readonly nodeIds: Readonly<Record<string, string>>;
  readonly adminAddress: string;
  /** Nodes earlier updates declared and this one does not (chain/former-members.ts): the Job names them when it removes them. */
  readonly formerNodeIds?: FormerNodeIds;
}

/**
 * The optional membership Job (membership.inCluster): `npm run members` in the cluster, after the nodes and before the
 * verification, with the SDK Secret, the declared set (nodes' names, roles and weights here, their ids) and the admin
 * key from its Secret. Its run id changes with the declared set and the bundle.
 */
export function membershipValues(spec: ChainSpec, run: MembershipRun | undefined, hook: boolean) {
  if (!spec.membership.inCluster || !run) return { enabled: false };
  const declared = spec.nodes.map((n) => [n.name, run.nodeIds[n.name], n.role, n.weight]);
  // Only when there are any: a chain that never removed a node keeps the run id it had before they were recorded.
  const former = Object.keys(run.formerNodeIds ?? {}).length > 0 ? [run.formerNodeIds] : [];
  return {
    enabled: true,
    hook,
    runId: sha256Hex(JSON.stringify([declared, run.bundleDigest, spec.membership.syncTimeoutSeconds, ...former])).slice(0, 16),
    image: { ...spec.verification.image, pullPolicy: spec.imagePullPolicy },
    bundleConfigMap: membersBundleName(spec),
    sdkSecretName: sdkSecretName(spec),
    adminKeySecretName: membershipAdminSecretName(spec),
    nodeIds: { ...run.nodeIds },
    adminAddress: run.adminAddress,
    formerNodeIds: { ...run.formerNodeIds },
    chainId: spec.chainId,
    groupId: spec.groupId,
    syncTimeoutSeconds: spec.membership.syncTimeoutSeconds,
  };
}

/** What the chart values are built from besides the spec. */
export interface ChartInputs {
  /** Per node: digest of what it reads only at start (config.ini, config.genesis, its certificates). */
  readonly configChecksums: Readonly<Record<string, string>>;
  /** sha256 of the recorded config.genesis: written on each data volume, checked against it on every install. */
  readonly genesisDigest: string;
  readonly verification?: VerificationRun;
  readonly benchBundleDigest?: string;
  /** The nodes that serve clients (chain/membership.ts); default the declared sealers. */
  readonly members?: readonly string[];
  /** Digest of the readiness agent's bundle: readiness that means service is on when it is given. */
  readonly readinessBundleDigest?: string;
  /** The in-cluster membership Job (membership.inCluster), and whether it is a Helm hook. */
  readonly membership?: MembershipRun;
  readonly hook?: boolean;
}

/** The node-readiness container (charts/fisco-bcos templates/statefulset.yaml): on when its bundle exists. */
export function readinessValues(spec: ChainSpec, bundleDigest?: string) {
  if (!spec.readiness.enabled || !bundleDigest) return { enabled: false };
  return {
    enabled: true,
    image: { ...spec.verification.image, pullPolicy: spec.imagePullPolicy },
    bundleConfigMap: readinessBundleName(spec),
    group: spec.groupId,
    maxLag: spec.readiness.maxLag,
    intervalSeconds: 5,
  };
}

/** Values for charts/fisco-bcos: what the component passes to the chart, and what `pulumi stack output chartValues` shows. */
export function chartValues(spec: ChainSpec, inputs: ChartInputs) {
  const { configChecksums, verification, benchBundleDigest } = inputs;
  const members = inputs.members ?? declaredSealerNames(spec.nodes);
  const [repository, tag] = [spec.image, spec.version];
  const service = (s: ChainSpec["services"]["rpc"]) => ({ type: s.type, nodePort: s.nodePort ?? null });
  const waves = rolloutWaves(spec.nodes);
  return {
    chainName: spec.chainName,
    clusterDomain: spec.clusterDomain,
    genesisDigest: inputs.genesisDigest,
    image: { repository, tag, pullPolicy: spec.imagePullPolicy },
    ports: { ...spec.ports },
    web3: { enabled: spec.web3.enabled },
    services: { rpc: service(spec.services.rpc), web3: service(spec.services.web3) },
    peerReload: { image: { ...spec.helperImage, pullPolicy: spec.imagePullPolicy }, intervalSeconds: 10 },
    scheduling: { sealerSpread: spec.scheduling.sealerSpread },
    disruptionBudget: { enabled: spec.disruptionBudget.enabled },
    networkPolicy: {
      enabled: spec.networkPolicy.enabled,
      p2pAllowedCidrs: [...spec.networkPolicy.p2pAllowedCidrs],
      clientNamespaceLabels: replacingChartDefaults(spec.networkPolicy.clientNamespaceLabels, CHART_DEFAULT_CLIENT_LABELS),
      clientPodLabels: replacingChartDefaults(spec.networkPolicy.clientNamespaceLabels, CHART_DEFAULT_CLIENT_LABELS),
      clientCidrs: [...spec.networkPolicy.clientCidrs],
    },
    nodes: spec.nodes.map((node) => ({
      name: node.name,
      role: node.role,
      weight: node.weight,
      servesClients: members.includes(node.name),
      rolloutWave: waves[node.name],
      secretName: nodeSecretName(spec, node),
      configMapName: nodeConfigMapName(spec, node),
      configChecksum: configChecksums[node.name],
      resources: node.resources,
      storage: { size: node.storage.size, storageClassName: node.storage.storageClass },
    })),
    readiness: readinessValues(spec, inputs.readinessBundleDigest),
    membership: membershipValues(spec, inputs.membership, inputs.hook ?? false),
    verification: verificationValues(spec, verification),
    bench: benchValues(spec, benchBundleDigest),
  };
}

export type ChartValues = ReturnType<typeof chartValues>;
