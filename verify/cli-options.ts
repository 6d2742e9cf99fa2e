import { parseArgs } from "node:util";
import { fail, numberFlag, UsageError, urlList } from "../cli/flags";
import { endpointEntries, endpointsFromUrls, readPrivateKeyFile, readSdkEndpoints, readTlsFiles } from "../cli/sdk-dir";
import type { SealerExpectation } from "./checks";
import type { RpcEndpoint } from "../fisco/rpc-client";
import type { VerifyOptions } from "./run";

export const USAGE = `usage: npm run verify -- (--rpc <url,...> --ca <file> --cert <file> --key <file> | --sdk-dir <dir>)
                        [--non-members <url,...>] [--web3 <url,...>|sdk] [--web3-key-file <file>]
                        [--expect-sealers N | --expect-node-ids <id,...>] [--group <id>]
                        [--timeout S] [--max-lag N] [--no-probe] [--json]
                        [--report-configmap <name> [--namespace <ns>]]

  --rpc <url,...>          native RPC of every group member (https://host:20200, comma-separated; http:// if
                           enable_ssl=false); each must be a sealer or an observer on chain
  --non-members <url,...>  native RPC of nodes declared but not (yet) sealer or observer: checked like the others,
                           never sent the probe (default: endpoints.json's rpc.nonMembers, unless --rpc is given)
  --ca, --cert, --key      chain CA, SDK certificate and SDK key (PEM files)
  --sdk-dir <dir>          a mounted SDK Secret: ca.crt, sdk.crt, sdk.key and endpoints.json (RPC URLs, group, chain id);
                           --rpc, --ca, --cert, --key and --group override what it holds
  --web3 <url,...>|sdk     also run the ethers probe through these web3 endpoints (sdk: the ones in endpoints.json)
  --web3-key-file <file>   key of a funded account for the web3 probe (0x-hex or PEM); needed on FISCO v3.16.4
  --expect-sealers N       the sealer list must have N entries
  --expect-node-ids <ids>  the sealer list must be exactly these 128-hex node ids (node.nodeid)
  --group <id>             group to verify (default group0, or endpoints.json's)
  --timeout S              overall time budget in seconds, 1–3600 (default 300)
  --max-lag N              largest allowed block height difference between nodes (default 10)
  --no-probe               do not send test transactions (read-only checks)
  --json                   print the report as JSON
  --report-configmap <name>  inside a pod: also store the JSON report in this ConfigMap (data "report.json") through
                           the Kubernetes API with the pod's service account; namespace from --namespace, $NAMESPACE
                           or the service account
Exit status: 0 healthy, 1 a check failed, 2 bad usage.`;

export { UsageError };

export interface CliChoice {
  readonly options: VerifyOptions;
  readonly json: boolean;
  /** --report-configmap: where the in-cluster Job stores its report. */
  readonly report?: { readonly name: string; readonly namespace?: string };
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

const NODE_ID = /^[0-9a-fA-F]{128}$/;

function sealerExpectation(count: string | undefined, ids: string | undefined): SealerExpectation {
  if (count !== undefined && ids !== undefined) fail("--expect-sealers and --expect-node-ids cannot be combined: give one");
  const n = numberFlag("--expect-sealers", count, 1, 1000, true, "an integer");
  if (n !== undefined) return { kind: "count", count: n };
  if (ids === undefined) return { kind: "none" };
  const list = ids
    .split(",")
    .map((id) => id.trim().replace(/^0x/, ""))
    .filter(Boolean);
  if (list.length === 0) fail("--expect-node-ids: give at least one node id");
  for (const id of list)
    if (!NODE_ID.test(id)) fail(`--expect-node-ids: "${id.slice(0, 20)}${id.length > 20 ? "…" : ""}" is not a 128-hex node id (the content of node.nodeid)`);
  return { kind: "ids", ids: list.map((id) => id.toLowerCase()) };
}

/** Parse argv into runVerification options; throws UsageError naming the flag and what is allowed. */
export function parseCli(argv: readonly string[]): CliChoice | "help" {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        rpc: { type: "string" },
        "non-members": { type: "string" },
        ca: { type: "string" },
        cert: { type: "string" },
        key: { type: "string" },
        "sdk-dir": { type: "string" },
        web3: { type: "string" },
        "web3-key-file": { type: "string" },
        "expect-sealers": { type: "string" },
        "expect-node-ids": { type: "string" },
        group: { type: "string" },
        timeout: { type: "string" },
        "max-lag": { type: "string" },
        "no-probe": { type: "boolean" },
        json: { type: "boolean" },
        "report-configmap": { type: "string" },
        namespace: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }).values;
  } catch (error) {
    const message = (error as Error).message.split("\n")[0];
    const flag = /'(--[\w-]+)/.exec(message)?.[1];
    if (flag && /ambiguous/.test(message)) return fail(`${flag}: a value starting with "-" must be written ${flag}=<value>`);
    return fail(message.replace(/\. To specify .*$/, ""));
  }
  if (values.help) return "help";
  const str = (name: string) => values[name] as string | undefined;

  const sdkDir = str("sdk-dir");
  const sdk = sdkDir === undefined ? undefined : readSdkEndpoints(sdkDir);
  const rpcFlag = str("rpc");
  const nonMembersFlag = str("non-members");
  let rpc: RpcEndpoint[] | undefined;
  let nonMembers: RpcEndpoint[];
  if (rpcFlag !== undefined || nonMembersFlag !== undefined) {
    // URLs from flags: names from all of them at once, so they are unique across members and non-members.
    const memberUrls = rpcFlag !== undefined ? urlList("--rpc", rpcFlag) : undefined;
    const outsideUrls = nonMembersFlag !== undefined ? urlList("--non-members", nonMembersFlag) : [];
    if (memberUrls) {
      const named = endpointsFromUrls([...memberUrls, ...outsideUrls]);
      [rpc, nonMembers] = [named.slice(0, memberUrls.length), named.slice(memberUrls.length)];
    } else {
      rpc = endpointEntries(sdk?.rpc.nodes);
      nonMembers = endpointsFromUrls(outsideUrls);
      const clash = nonMembers.filter((e) => rpc!.some((m) => m.name === e.name));
      if (clash.length > 0) fail(`--non-members: ${clash.map((e) => e.name).join(", ")} is also a name in endpoints.json's rpc.nodes`);
    }
  } else {
    rpc = sdk ? endpointEntries(sdk.rpc.nodes) : undefined;
    nonMembers = endpointEntries(sdk?.rpc.nonMembers);
  }
  if (!rpc || rpc.length === 0) fail("--rpc: give the node URLs (https://host:20200,...) or --sdk-dir <dir>");

  const needsTls = [...rpc, ...nonMembers].some((e) => e.url.startsWith("https:"));
  const { ca, cert, key } = readTlsFiles({ ca: str("ca"), cert: str("cert"), key: str("key") }, sdkDir);
  if (needsTls && (!ca || !cert || !key))
    fail(
      `--ca, --cert and --key are required for https:// RPC URLs (missing ${[!ca && "--ca", !cert && "--cert", !key && "--key"].filter(Boolean).join(", ")}), or give --sdk-dir`,
    );

  const web3Flag = str("web3");
  let web3: RpcEndpoint[] | undefined;
  if (web3Flag === "sdk") {
    if (!sdk?.web3) fail("--web3 sdk: needs --sdk-dir whose endpoints.json lists web3 endpoints (web3.enabled in the stack)");
    web3 = endpointEntries(sdk.web3.nodes);
  } else if (web3Flag !== undefined) {
    web3 = endpointsFromUrls(urlList("--web3", web3Flag));
  }
  const keyFile = str("web3-key-file");
  if (keyFile !== undefined && !web3) fail("--web3-key-file: only used with --web3");

  const group = str("group") ?? sdk?.groupId;
  if (group !== undefined && !/^[A-Za-z0-9_]{1,64}$/.test(group)) fail(`--group must be 1–64 letters, digits or _ (got "${group}")`);
  const timeout = numberFlag("--timeout", str("timeout"), 1, 3600, false, "a number of seconds");
  const maxLag = numberFlag("--max-lag", str("max-lag"), 0, 1_000_000, true, "an integer");

  const reportName = str("report-configmap");
  const namespace = str("namespace");
  if (reportName !== undefined && !DNS_SUBDOMAIN.test(reportName))
    fail(`--report-configmap must be a ConfigMap name (lowercase letters, digits, - and .; got "${reportName}")`);
  if (namespace !== undefined && !DNS_LABEL.test(namespace)) fail(`--namespace must be a namespace name (a DNS label; got "${namespace}")`);
  if (namespace !== undefined && reportName === undefined) fail("--namespace: only used with --report-configmap");

  return {
    json: values.json === true,
    report: reportName === undefined ? undefined : { name: reportName, namespace },
    options: {
      rpc,
      nonMembers,
      tls: ca && cert && key ? { ca, cert, key } : undefined,
      groupId: group,
      expectedChainId: sdk?.chainId,
      web3,
      web3PrivateKey: keyFile === undefined ? undefined : readPrivateKeyFile("--web3-key-file", keyFile),
      expect: sealerExpectation(str("expect-sealers"), str("expect-node-ids")),
      timeoutMs: timeout === undefined ? undefined : timeout * 1000,
      maxLag,
      probe: values["no-probe"] !== true,
    },
  };
}
