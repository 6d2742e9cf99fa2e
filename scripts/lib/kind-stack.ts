// What scripts/kind-up.sh needs to know about the kind stack, read through the real stack schema:
// `node --import tsx scripts/lib/kind-stack.ts [stack]` prints KEY=value lines (no secrets; the stack file holds none).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { load } from "js-yaml";
import { parseChainSpec, sealersOf, type ChainSpec } from "../../chain/spec";
import { sdkSecretName } from "../../chain/naming";
import { rawConfigFromPulumi } from "../../chain/stack-config";
import { readStackConfig } from "../../offline/synth/stack-file";

export const ROOT = join(__dirname, "..", "..");
export const KIND_CLUSTER_CONFIG = join(ROOT, "deploy", "kind", "cluster.yaml");
const CHART_VALUES = join(ROOT, "charts", "fisco-bcos", "values.yaml");

export interface PortMapping {
  readonly containerPort: number;
  readonly hostPort: number;
  readonly listenAddress: string;
}

export interface KindCluster {
  readonly controlPlanes: number;
  readonly workers: number;
  readonly portMappings: readonly PortMapping[];
}

/** The parts of deploy/kind/cluster.yaml that the stack depends on. */
export function parseKindCluster(text: string): KindCluster {
  const doc = load(text) as {
    kind?: string;
    apiVersion?: string;
    nodes?: Array<{ role?: string; extraPortMappings?: { containerPort?: unknown; hostPort?: unknown; listenAddress?: unknown }[] }>;
  };
  if (doc?.kind !== "Cluster" || doc.apiVersion !== "kind.x-k8s.io/v1alpha4") {
    throw new Error("not a kind cluster config (kind: Cluster, apiVersion: kind.x-k8s.io/v1alpha4)");
  }
  const nodes = doc.nodes ?? [{ role: "control-plane" }];
  const portMappings = nodes.flatMap((n) =>
    (n.extraPortMappings ?? []).map((m) => ({
      containerPort: Number(m.containerPort),
      hostPort: Number(m.hostPort),
      listenAddress: String(m.listenAddress ?? "0.0.0.0"),
    })),
  );
  return {
    controlPlanes: nodes.filter((n) => (n.role ?? "control-plane") === "control-plane").length,
    workers: nodes.filter((n) => n.role === "worker").length,
    portMappings,
  };
}

export interface KindStackFacts {
  readonly chainName: string;
  readonly namespace: string;
  readonly sdkSecretName: string;
  readonly images: readonly string[];
  readonly rpcUrl: string;
  readonly web3Url: string | null;
  readonly sealers: number;
  readonly rpcNodePort: number;
}

/** Host URL of a NodePort Service through the cluster's port mappings, or an error naming what is missing. */
function hostUrl(scheme: string, what: string, service: ChainSpec["services"]["rpc"], cluster: KindCluster): string {
  if (service.type !== "NodePort" || service.nodePort === undefined) {
    throw new Error(`fisco-bcos:services.${what} must be {type: NodePort, nodePort: N} for kind (got type ${service.type})`);
  }
  const mapping = cluster.portMappings.find((m) => m.containerPort === service.nodePort);
  if (!mapping) {
    throw new Error(`fisco-bcos:services.${what}.nodePort ${service.nodePort} has no extraPortMappings entry in deploy/kind/cluster.yaml`);
  }
  const host = mapping.listenAddress === "0.0.0.0" ? "127.0.0.1" : mapping.listenAddress;
  return `${scheme}://${host}:${mapping.hostPort}`;
}

/** The verification Job's image: the stack's `verification.image` when the schema has it, else the chart's default. */
export function verifierImage(spec: ChainSpec): string | null {
  const fromSpec = (spec.verification as { image?: { repository?: string; tag?: string } }).image;
  if (fromSpec?.repository && fromSpec.tag) return `${fromSpec.repository}:${fromSpec.tag}`;
  if (!existsSync(CHART_VALUES)) return null;
  const values = load(readFileSync(CHART_VALUES, "utf8")) as { verification?: { image?: { repository?: string; tag?: string } } };
  const image = values?.verification?.image;
  return image?.repository && image.tag ? `${image.repository}:${image.tag}` : null;
}

export function kindStackFacts(spec: ChainSpec, cluster: KindCluster, extraImages: readonly (string | null)[] = []): KindStackFacts {
  const images = [`${spec.image}:${spec.version}`, `${spec.helperImage.repository}:${spec.helperImage.tag}`, ...extraImages];
  return {
    chainName: spec.chainName,
    namespace: spec.namespace,
    sdkSecretName: sdkSecretName(spec),
    images: [...new Set(images.filter((i): i is string => Boolean(i)))],
    rpcUrl: hostUrl("https", "rpc", spec.services.rpc, cluster),
    web3Url: spec.web3.enabled ? hostUrl("http", "web3", spec.services.web3, cluster) : null,
    sealers: sealersOf(spec).length,
    rpcNodePort: spec.services.rpc.nodePort!,
  };
}

export function loadStackSpec(stack: string): ChainSpec {
  return parseChainSpec(rawConfigFromPulumi(readStackConfig(stack))).spec;
}

function main(argv: readonly string[]): number {
  const stack = argv[0] ?? "kind";
  try {
    const spec = loadStackSpec(stack);
    const facts = kindStackFacts(spec, parseKindCluster(readFileSync(KIND_CLUSTER_CONFIG, "utf8")), [verifierImage(spec)]);
    const lines = [
      `CHAIN_NAME=${facts.chainName}`,
      `NAMESPACE=${facts.namespace}`,
      `SDK_SECRET=${facts.sdkSecretName}`,
      `IMAGES=${facts.images.join(" ")}`,
      `RPC_URL=${facts.rpcUrl}`,
      `WEB3_URL=${facts.web3Url ?? ""}`,
      `SEALERS=${facts.sealers}`,
      `RPC_NODE_PORT=${facts.rpcNodePort}`,
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`stacks/Pulumi.${stack}.yaml: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
