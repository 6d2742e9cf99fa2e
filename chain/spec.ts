import { z } from "zod";
import { CHART_DEFAULT_CLIENT_LABELS } from "./labels";
import { RESERVED_NODE_NAMES } from "./naming";
import { warningsFor } from "./spec-warnings";
import { MIN_STORAGE_MI, storageSizeMi } from "./storage-size";
import {
  atLeast,
  compareVersions,
  defaultCompatibilityVersion,
  MIN_VERSION_DNS_PEERS,
  MIN_COMPATIBILITY_VERSION,
  MIN_VERSION_WEB3,
  parseVersion,
} from "./version";

/** The Pulumi project name: every config key is `fisco-bcos:<key>`. */
export const CONFIG_NAMESPACE = "fisco-bcos";

const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const CPU = /^\d+(\.\d+)?m?$/;
const BYTES = /^\d+(\.\d+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;
const CIDR = /^(\d{1,3})(\.\d{1,3}){3}\/(\d|[12]\d|3[0-2])$|^[0-9a-fA-F:]+\/\d{1,3}$/;

const int = (min: number, max: number) => {
  const message = `must be an integer from ${min} to ${max}`;
  return z.number({ error: message }).int({ error: message }).min(min, { error: message }).max(max, { error: message });
};
const port = (fallback: number) => int(1025, 65535).default(fallback);
const pattern = (re: RegExp, what: string) => z.string({ error: `must be ${what}` }).regex(re, { error: `must be ${what}` });
const oneOf = <T extends readonly [string, ...string[]]>(values: T) => z.enum(values, { error: `must be one of ${values.join(", ")}` });
const bool = () => z.boolean({ error: "must be true or false" });
const dnsLabel = (maxLength: number) =>
  pattern(DNS_LABEL, `a DNS label (lowercase letters, digits and '-', starting with a letter), at most ${maxLength} characters`).max(maxLength, {
    error: `must be at most ${maxLength} characters`,
  });

const resourceAmounts = z.strictObject({
  cpu: pattern(CPU, "a CPU quantity such as 500m or 2"),
  memory: pattern(BYTES, "a memory quantity such as 512Mi or 4Gi"),
});
const resources = z.strictObject({ requests: resourceAmounts, limits: resourceAmounts });
const STORAGE_SIZE_RULE = `a whole number of Mi, Gi or Ti, at least ${MIN_STORAGE_MI / 1024}Gi, such as 20Gi (FISCO needs 1 GiB free to start)`;
const storage = z.strictObject({
  size: z
    .string({ error: `must be ${STORAGE_SIZE_RULE}` })
    .refine((size) => (storageSizeMi(size) ?? 0) >= MIN_STORAGE_MI, { error: `must be ${STORAGE_SIZE_RULE}` }),
  storageClass: z.string({ error: "must be a storage class name, or empty for the cluster default" }).default(""),
});

const DEFAULT_RESOURCES = { requests: { cpu: "500m", memory: "1Gi" }, limits: { cpu: "2", memory: "4Gi" } };
const DEFAULT_STORAGE = { size: "20Gi", storageClass: "" };

const node = z.strictObject({
  name: dnsLabel(30),
  role: oneOf(["sealer", "observer"] as const).default("sealer"),
  weight: int(1, 1000).default(1),
  resources: resources.optional(),
  storage: storage.optional(),
});

const service = z.strictObject({
  type: oneOf(["ClusterIP", "NodePort", "LoadBalancer"] as const).default("ClusterIP"),
  nodePort: int(30000, 32767).optional(),
});

const DEFAULT_NODES = ["node0", "node1", "node2", "node3"].map((name) => ({ name }));

/** Every config key, as the user writes it in stacks/Pulumi.<env>.yaml (without the `fisco-bcos:` prefix). */
export const chainConfigSchema = z.strictObject({
  chainName: dnsLabel(20).default("fisco"),
  namespace: dnsLabel(63).default("fisco"),
  createNamespace: bool().default(true),
  kubernetes: z
    .strictObject({
      context: z.string({ error: "must be a kubeconfig context name" }).min(1, { error: "must be a kubeconfig context name" }).optional(),
      inCluster: bool().default(false),
    })
    .prefault({}),
  clusterDomain: pattern(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, "a DNS domain such as cluster.local").default("cluster.local"),
  chainId: pattern(/^[A-Za-z0-9]{1,64}$/, "1 to 64 letters or digits (FISCO requires an alphanumeric chain id)").default("chain0"),
  groupId: pattern(/^[A-Za-z0-9_]{1,64}$/, "1 to 64 letters, digits or '_'").default("group0"),
  image: z.string({ error: "must be an image repository such as fiscoorg/fiscobcos" }).min(1).default("fiscoorg/fiscobcos"),
  imagePullPolicy: oneOf(["Always", "IfNotPresent", "Never"] as const).default("IfNotPresent"),
  helperImage: z
    .strictObject({
      repository: z.string({ error: "must be an image repository" }).min(1).default("busybox"),
      tag: z.string({ error: "must be an image tag" }).min(1).default("1.36.1"),
    })
    .prefault({}),
  version: pattern(/^v3\.\d+\.\d+$/, "a FISCO BCOS 3.x release tag such as v3.16.4").default("v3.16.4"),
  compatibilityVersion: pattern(/^3\.\d+\.\d+$/, "a version such as 3.16.0").optional(),
  authCheck: bool().default(false),
  protect: bool().default(false),
  // FISCO refuses tx.gas_limit <= TX_GAS_LIMIT_MIN (100000) at start (v3.16.4 bcos-tool/NodeConfig.cpp loadGenesisConfig).
  txGasLimit: int(100_001, Number.MAX_SAFE_INTEGER).default(3_000_000_000),
  consensus: z
    .strictObject({
      type: oneOf(["pbft", "rpbft"] as const).default("pbft"),
      blockTxCountLimit: int(1, 1_000_000).default(1000),
      leaderPeriod: int(1, 1000).default(1),
      minSealTime: int(1, 600_000).default(500),
      consensusTimeout: int(3000, 600_000).default(3000),
      epochSealerNum: int(1, 1000).default(4),
      epochBlockNum: int(1, 1_000_000).default(1000),
    })
    .prefault({}),
  web3: z.strictObject({ enabled: bool().default(false), chainId: int(1, 2 ** 31 - 1).default(20200) }).prefault({}),
  ports: z.strictObject({ p2p: port(30300), rpc: port(20200), web3: port(8545) }).prefault({}),
  nodes: z.array(node, { error: "must be a list of nodes" }).min(1, { error: "must list at least one node" }).prefault(DEFAULT_NODES),
  nodeDefaults: z.strictObject({ resources: resources.default(DEFAULT_RESOURCES), storage: storage.default(DEFAULT_STORAGE) }).prefault({}),
  services: z.strictObject({ rpc: service.prefault({}), web3: service.prefault({}) }).prefault({}),
  workloads: z.strictObject({ manager: oneOf(["pulumi", "gitops"] as const).default("pulumi") }).prefault({}),
  scheduling: z.strictObject({ sealerSpread: oneOf(["preferred", "required"] as const).default("preferred") }).prefault({}),
  networkPolicy: z
    .strictObject({
      enabled: bool().default(true),
      p2pAllowedCidrs: z.array(pattern(CIDR, "a CIDR such as 10.20.0.0/16")).default([]),
      clientNamespaceLabels: z.record(z.string(), z.string()).default({ ...CHART_DEFAULT_CLIENT_LABELS }),
      clientCidrs: z.array(pattern(CIDR, "a CIDR such as 203.0.113.0/24")).default([]),
    })
    .prefault({}),
  bench: z
    .strictObject({
      enabled: bool().default(false),
      txs: int(1, 10_000_000).default(10_000),
      concurrency: int(1, 20_000).default(512),
      senders: int(1, 100_000).default(16),
      seed: z.string({ error: "must be a text" }).min(1).default("fisco-bench"),
      timeoutSeconds: int(10, 3600).default(300),
    })
    .prefault({}),
  disruptionBudget: z.strictObject({ enabled: bool().default(true) }).prefault({}),
  membership: z
    .strictObject({
      hostRpcEndpoints: z.array(z.url({ protocol: /^https?$/, error: "must be an http(s) URL such as https://127.0.0.1:20200" })).default([]),
      syncTimeoutSeconds: int(10, 86400).default(600),
      inCluster: bool().default(false),
    })
    .prefault({}),
  readiness: z.strictObject({ enabled: bool().default(true), maxLag: int(0, 1000).default(10) }).prefault({}),
  certificates: z.strictObject({ validityDays: int(1, 36500).default(36500) }).prefault({}),
  log: z.strictObject({ level: oneOf(["trace", "debug", "info", "warning", "error"] as const).default("info") }).prefault({}),
  verification: z
    .strictObject({
      enabled: bool().default(true),
      timeoutSeconds: int(10, 3600).default(300),
      probeTransaction: bool().default(true),
      image: z
        .strictObject({
          repository: z.string({ error: "must be an image repository" }).min(1).default("node"),
          tag: z.string({ error: "must be an image tag" }).min(1).default("20-alpine"),
        })
        .prefault({}),
      hostRpcEndpoints: z.array(z.url({ protocol: /^https?$/, error: "must be an http(s) URL such as https://127.0.0.1:20200" })).default([]),
    })
    .prefault({}),
});

export type ChainConfig = z.output<typeof chainConfigSchema>;
export type NodeConfig = ChainConfig["nodes"][number];

/** A node with its defaults applied: what every later layer works with. */
export interface NodeSpec {
  readonly name: string;
  readonly index: number;
  readonly role: "sealer" | "observer";
  readonly weight: number;
  readonly resources: z.output<typeof resources>;
  readonly storage: z.output<typeof storage>;
}

declare const validated: unique symbol;

/**
 * A stack config that parseChainSpec accepted, with defaults applied. Only the parser makes one (the brand), so a
 * component handed a ChainSpec knows every cross-field rule holds.
 */
export type ChainSpec = Omit<ChainConfig, "nodes" | "compatibilityVersion"> & {
  readonly compatibilityVersion: string;
  readonly nodes: readonly NodeSpec[];
  readonly [validated]: true;
};

export interface Problem {
  readonly key: string;
  readonly message: string;
}

export class ChainConfigError extends Error {
  constructor(readonly problems: readonly Problem[]) {
    super(`invalid FISCO BCOS stack configuration:\n` + problems.map((p) => `  ${CONFIG_NAMESPACE}:${p.key}: ${p.message}`).join("\n"));
    this.name = "ChainConfigError";
  }
}

export interface ParsedSpec {
  readonly spec: ChainSpec;
  readonly warnings: readonly string[];
}

/** Validate raw config (keys without the namespace prefix) into a ChainSpec, or throw ChainConfigError naming every bad key. */
export function parseChainSpec(raw: unknown): ParsedSpec {
  const result = chainConfigSchema.safeParse(raw ?? {});
  if (!result.success) {
    throw new ChainConfigError(result.error.issues.flatMap((issue) => problemsOf(issue, raw)));
  }
  const config = result.data;
  const problems = crossFieldProblems(config);
  if (problems.length > 0) throw new ChainConfigError(problems);
  const spec = withDefaults(config);
  return { spec, warnings: warningsFor(spec) };
}

function keyOf(path: readonly PropertyKey[]): string {
  return path.reduce<string>((key, part) => (typeof part === "number" ? `${key}[${part}]` : key ? `${key}.${String(part)}` : String(part)), "");
}

function problemsOf(issue: z.core.$ZodIssue, raw: unknown): Problem[] {
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((k) => ({
      key: keyOf([...issue.path, k]),
      message: "is not a known setting (check the spelling; the README lists every key)",
    }));
  }
  const got = valueAt(raw, issue.path);
  return [{ key: keyOf(issue.path), message: got === undefined ? issue.message : `${issue.message} (got ${JSON.stringify(got)})` }];
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let value: unknown = raw;
  for (const part of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[part];
  }
  return value;
}

function crossFieldProblems(config: ChainConfig): Problem[] {
  const problems: Problem[] = [];
  const add = (key: string, message: string) => problems.push({ key, message });

  const seen = new Map<string, number>();
  config.nodes.forEach((n, i) => {
    const first = seen.get(n.name);
    if (first !== undefined) add(`nodes[${i}].name`, `duplicate node name '${n.name}' (also nodes[${first}]); names must be unique`);
    else seen.set(n.name, i);
    if (RESERVED_NODE_NAMES.includes(n.name))
      add(
        `nodes[${i}].name`,
        `'${n.name}' is reserved: the chain's own Services are ${config.chainName}-rpc, -web3 and -headless, and a node's Service is ${config.chainName}-<name>`,
      );
    const objectName = `${config.chainName}-${n.name}`;
    if (objectName.length > 47) add(`nodes[${i}].name`, `'${objectName}' (chainName-name) must be at most 47 characters for Kubernetes object names`);
  });
  if (!config.nodes.some((n) => n.role === "sealer")) add("nodes", "must contain at least one node with role 'sealer'");

  const ports = Object.entries(config.ports);
  ports.forEach(([name, value], i) => {
    const clash = ports.slice(0, i).find(([, other]) => other === value);
    if (clash) add(`ports.${name}`, `must differ from ports.${clash[0]} (both ${value})`);
  });

  if (!atLeast(config.version, MIN_VERSION_DNS_PEERS)) {
    add(
      "version",
      `must be ${MIN_VERSION_DNS_PEERS} or newer: peers in nodes.json are Service DNS names, which FISCO BCOS resolves only from ${MIN_VERSION_DNS_PEERS} (got ${config.version})`,
    );
  }
  if (config.web3.enabled && !atLeast(config.version, MIN_VERSION_WEB3)) {
    add("web3.enabled", `needs version ${MIN_VERSION_WEB3} or newer, which introduced web3 RPC (version is ${config.version})`);
  }
  if (config.compatibilityVersion) {
    const compat = parseVersion(config.compatibilityVersion)!;
    if (compareVersions(compat, parseVersion(config.version)!) > 0) {
      add("compatibilityVersion", `must not be newer than version ${config.version} (got ${config.compatibilityVersion})`);
    }
    if (compareVersions(compat, parseVersion(MIN_COMPATIBILITY_VERSION)!) < 0) {
      add(
        "compatibilityVersion",
        `must be ${MIN_COMPATIBILITY_VERSION} or newer: below it FISCO reads [chain] from config.ini, and the genesis this project renders holds it (got ${config.compatibilityVersion})`,
      );
    }
  }
  if (config.protect && !config.kubernetes.context && !config.kubernetes.inCluster) {
    add(
      "kubernetes.context",
      "is required when protect is true (or kubernetes.inCluster: true where the program runs in the cluster, e.g. the Pulumi Kubernetes Operator): name the kubeconfig context of this stack's cluster, so that an update never lands on whatever context is current",
    );
  }
  if (config.kubernetes.context && config.kubernetes.inCluster) add("kubernetes.inCluster", "cannot be true together with kubernetes.context: choose one");
  if (config.membership.inCluster && config.membership.hostRpcEndpoints.length > 0) {
    add(
      "membership.inCluster",
      "cannot be true together with membership.hostRpcEndpoints: membership runs either as a Job in the cluster or as a hook from the host; choose one",
    );
  }
  for (const kind of ["rpc", "web3"] as const) {
    const svc = config.services[kind];
    if (svc.nodePort !== undefined && svc.type !== "NodePort") add(`services.${kind}.nodePort`, `is allowed only with type NodePort (type is ${svc.type})`);
  }
  if (config.services.rpc.nodePort !== undefined && config.services.rpc.nodePort === config.services.web3.nodePort) {
    add("services.web3.nodePort", `must differ from services.rpc.nodePort (both ${config.services.rpc.nodePort})`);
  }
  return problems;
}

function withDefaults(config: ChainConfig): ChainSpec {
  const nodes = config.nodes.map((n, index) => ({
    name: n.name,
    index,
    role: n.role,
    weight: n.weight,
    resources: n.resources ?? config.nodeDefaults.resources,
    storage: n.storage ?? config.nodeDefaults.storage,
  }));
  return { ...config, compatibilityVersion: config.compatibilityVersion ?? defaultCompatibilityVersion(config.version), nodes } as unknown as ChainSpec;
}

export function sealersOf(spec: Pick<ChainSpec, "nodes">): NodeSpec[] {
  return spec.nodes.filter((n) => n.role === "sealer");
}
