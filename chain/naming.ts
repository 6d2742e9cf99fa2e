import type { ChainSpec, NodeSpec } from "./spec";

/** Kubernetes object names. The chart uses the same rules: the per-node Service name is the peer's DNS name. */
export const nodeObjectName = (spec: Pick<ChainSpec, "chainName">, node: Pick<NodeSpec, "name">) => `${spec.chainName}-${node.name}`;
export const nodeSecretName = (spec: Pick<ChainSpec, "chainName">, node: Pick<NodeSpec, "name">) => `${nodeObjectName(spec, node)}-keys`;
export const nodeConfigMapName = (spec: Pick<ChainSpec, "chainName">, node: Pick<NodeSpec, "name">) => `${nodeObjectName(spec, node)}-config`;
export const sdkSecretName = (spec: Pick<ChainSpec, "chainName">) => `${spec.chainName}-sdk`;
export const verifierBundleName = (spec: Pick<ChainSpec, "chainName">) => `${spec.chainName}-verifier-bundle`;
export const readinessBundleName = (spec: Pick<ChainSpec, "chainName">) => `${spec.chainName}-readiness-bundle`;
export const benchBundleName = (spec: Pick<ChainSpec, "chainName">) => `${spec.chainName}-bench-bundle`;
export const genesisRecordName = (spec: Pick<ChainSpec, "chainName">) => `${spec.chainName}-genesis`;
export const verificationRequestName = (spec: Pick<ChainSpec, "chainName">) => `${spec.chainName}-verification-request`;
export const membersBundleName = (spec: Pick<ChainSpec, "chainName">) => `${spec.chainName}-members-bundle`;
export const membershipAdminSecretName = (spec: Pick<ChainSpec, "chainName">) => `${spec.chainName}-membership-admin`;
export const membershipRequestName = (spec: Pick<ChainSpec, "chainName">) => `${spec.chainName}-membership-request`;
export const verificationReportName = (spec: Pick<ChainSpec, "chainName">) => `${spec.chainName}-verification`;
export const rpcServiceName = (spec: Pick<ChainSpec, "chainName">) => `${spec.chainName}-rpc`;
export const web3ServiceName = (spec: Pick<ChainSpec, "chainName">) => `${spec.chainName}-web3`;
/** Node names whose per-node Service (`<chain>-<node>`) would be one of the chain's own: -rpc, -web3 and the chart's -headless. The chart refuses them too. */
export const RESERVED_NODE_NAMES: readonly string[] = ["rpc", "web3", "headless"];

type Addressing = Pick<ChainSpec, "chainName" | "namespace" | "clusterDomain">;

export function serviceHost(spec: Addressing, serviceName: string): string {
  return `${serviceName}.${spec.namespace}.svc.${spec.clusterDomain}`;
}

/** host:port of a node's P2P endpoint, as written in nodes.json. */
export function peerAddress(spec: Addressing & Pick<ChainSpec, "ports">, node: Pick<NodeSpec, "name">): string {
  return `${serviceHost(spec, nodeObjectName(spec, node))}:${spec.ports.p2p}`;
}

/** host:port of a node's own RPC endpoint (per-node Service). */
export function nodeRpcAddress(spec: Addressing & Pick<ChainSpec, "ports">, node: Pick<NodeSpec, "name">): string {
  return `${serviceHost(spec, nodeObjectName(spec, node))}:${spec.ports.rpc}`;
}

export function nodeWeb3Url(spec: Addressing & Pick<ChainSpec, "ports">, node: Pick<NodeSpec, "name">): string {
  return `http://${serviceHost(spec, nodeObjectName(spec, node))}:${spec.ports.web3}`;
}
