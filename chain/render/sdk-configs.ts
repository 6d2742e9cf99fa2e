import { nodeRpcAddress, nodeWeb3Url, rpcServiceName, serviceHost, web3ServiceName } from "../naming";
import { declaredSealerNames } from "../membership";
import type { ChainSpec } from "../spec";

/**
 * `members`: the nodes that serve clients (members of the group; chain/membership.ts). Clients are pointed at them
 * only; the others are listed apart in endpoints.json for verification. Default: the declared sealers.
 */
type SdkInputs = Pick<ChainSpec, "chainName" | "namespace" | "clusterDomain" | "ports" | "nodes" | "groupId" | "chainId" | "web3"> & {
  readonly members?: readonly string[];
};

const memberNodes = (spec: SdkInputs) => {
  const members = new Set(spec.members ?? declaredSealerNames(spec.nodes));
  return { members: spec.nodes.filter((n) => members.has(n.name)), others: spec.nodes.filter((n) => !members.has(n.name)) };
};

/** File names inside the SDK Secret; mount it as the SDK's `conf/` directory. */
export const SDK_FILES = {
  caCert: "ca.crt",
  cert: "sdk.crt",
  key: "sdk.key",
  javaConfig: "config.toml",
  goConfig: "config.ini",
  endpoints: "endpoints.json",
} as const;

/** Java SDK v3 config.toml (keys from java-sdk's config-example.toml). */
export function renderJavaSdkConfig(spec: SdkInputs): string {
  const peers = memberNodes(spec)
    .members.map((n) => `"${nodeRpcAddress(spec, n)}"`)
    .join(", ");
  return `[cryptoMaterial]
certPath = "conf"                           # directory holding ca.crt, sdk.crt and sdk.key (mount the SDK Secret here)
useSMCrypto = "false"
enableSsl = "true"
# caCert = "conf/${SDK_FILES.caCert}"
# sslCert = "conf/${SDK_FILES.cert}"
# sslKey = "conf/${SDK_FILES.key}"

[network]
messageTimeout = "10000"
defaultGroup = "${spec.groupId}"
peers = [${peers}]

[account]
keyStoreDir = "account"
accountFileFormat = "pem"

[threadPool]
threadPoolSize = "8"
`;
}

/** Go SDK v3 config ini (keys from go-sdk v3/examples/configFile/conf/config_sample.ini). */
export function renderGoSdkConfig(spec: SdkInputs): string {
  const peers = memberNodes(spec)
    .members.map((n, i) => `node.${i}=${nodeRpcAddress(spec, n)}`)
    .join("\n");
  return `[common]
; if ssl connection is disabled, default: false
disable_ssl = false
thread_pool_size = 8
message_timeout_ms = 10000
send_rpc_request_to_highest_block_node = true

[cert]
; ssl_type: ssl or sm_ssl, default: ssl
ssl_type = ssl
ca_path = ./conf
ca_cert = ${SDK_FILES.caCert}
sdk_key = ${SDK_FILES.key}
sdk_cert = ${SDK_FILES.cert}

[peers]
${peers}
`;
}

export interface Endpoints {
  readonly chainId: string;
  readonly groupId: string;
  readonly web3ChainId: number | null;
  /**
   * Native JSON-RPC over mutual TLS (HTTPS POST); the server certificate has no SAN: skip hostname checks.
   * `nodes`: members, which serve clients; `nonMembers`: declared nodes not (yet) in the group's sealer or observer
   * set, which sync but must not be sent transactions (the verifier checks them).
   */
  readonly rpc: NodeUrls;
  readonly web3: NodeUrls | null;
  readonly tls: { readonly ca: string; readonly cert: string; readonly key: string; readonly checkServerIdentity: false };
  readonly ethers: { readonly staticNetwork: true; readonly cacheTimeout: -1; readonly batchMaxCount: 8 };
}

export interface NodeUrls {
  readonly service: string;
  readonly nodes: Record<string, string>;
  readonly nonMembers: Record<string, string>;
}

/** endpoints.json: what a TypeScript client (ethers, or HTTPS for the native RPC) needs to connect. */
export function renderEndpoints(spec: SdkInputs): Endpoints {
  const { members, others } = memberNodes(spec);
  const urls = (service: string, url: (n: SdkInputs["nodes"][number]) => string): NodeUrls => ({
    service,
    nodes: Object.fromEntries(members.map((n) => [n.name, url(n)])),
    nonMembers: Object.fromEntries(others.map((n) => [n.name, url(n)])),
  });
  return {
    chainId: spec.chainId,
    groupId: spec.groupId,
    web3ChainId: spec.web3.enabled ? spec.web3.chainId : null,
    rpc: urls(`https://${serviceHost(spec, rpcServiceName(spec))}:${spec.ports.rpc}`, (n) => `https://${nodeRpcAddress(spec, n)}`),
    web3: spec.web3.enabled ? urls(`http://${serviceHost(spec, web3ServiceName(spec))}:${spec.ports.web3}`, (n) => nodeWeb3Url(spec, n)) : null,
    tls: { ca: SDK_FILES.caCert, cert: SDK_FILES.cert, key: SDK_FILES.key, checkServerIdentity: false },
    ethers: { staticNetwork: true, cacheTimeout: -1, batchMaxCount: 8 },
  };
}

export function renderEndpointsJson(spec: SdkInputs): string {
  return `${JSON.stringify(renderEndpoints(spec), null, 2)}\n`;
}
