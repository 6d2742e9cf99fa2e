import { createPrivateKey } from "node:crypto";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { accountFromPrivateKeyHex } from "../chain/keys";
import { fail, numberFlag, parsedOrExitCode, readText, UsageError, urlList } from "../cli/flags";
import { endpointEntries, endpointsFromUrls, readSdkEndpoints, readTlsFiles } from "../cli/sdk-dir";
import type { RpcEndpoint } from "../fisco/rpc-client";
import type { Timing } from "./apply";
import { applyMembershipAt } from "./at-endpoints";
import { declaredFromStackOutputFile, declaredFromTree, DeclaredSetError, type DeclaredSet } from "./declared";
import { formatJson, formatText } from "./report";

export const USAGE = `usage: npm run members -- (--tree <dir> | --stack-nodes <file>) [--sdk-dir <dir>] [--rpc <url,...>]
                          [--ca <file> --cert <file> --key <file>] [--admin-key <file>] [--group <id>]
                          [--sync-timeout S] [--dry-run] [--json]

Brings the chain's sealers and observers to the declared set, by transactions to the consensus precompiled contract
signed by the genesis admin key (committee proposals when auth checking is on): prints the plan, refuses a plan that
would lose quorum, adds new nodes as observers first and promotes them only once they are within 10 blocks of the
head, and waits for each change to show before the next. A second run with nothing to do sends nothing.

  --tree <dir>           a synth tree: each node's id, role and weight from its stack-outputs.json (checked against
                         <node>/conf/node.nodeid), auth checking and chain id from config.genesis; --sdk-dir
                         defaults to <dir>/sdk
  --stack-nodes <file>   \`pulumi stack output --json\` saved to a file (nodeIds, chartValues.nodes, adminAddress)
  --sdk-dir <dir>        the SDK Secret's files: ca.crt, sdk.crt, sdk.key and endpoints.json (rpc.nodes and
                         rpc.nonMembers: every declared node is asked)
  --rpc <url,...>        the nodes' native RPC URLs instead of endpoints.json's (e.g. the ones local:up prints)
  --ca, --cert, --key    chain CA, SDK certificate and key (override the SDK directory's)
  --admin-key <file>     the genesis admin account's key: the stack output adminPrivateKey (0x-hex, or the JSON of
                         \`pulumi stack output --json --show-secrets\`), or synth's ca/accounts/0x<address>.pem
                         (--include-secrets); required unless --dry-run; never printed
  --group <id>           group (default: the genesis', endpoints.json's, or group0)
  --sync-timeout S       how long a new node may take to become a group peer and catch up before its step is given
                         up, nothing sent (default 600)
  --dry-run              read the chain and print the plan; send nothing
  --json                 print the report as JSON
Exit status: 0 the chain matches the declared set (dry run: the plan is not refused), 1 refused or a step failed,
2 bad usage.`;

export { UsageError };

export interface MembersChoice {
  readonly declared: DeclaredSet;
  readonly endpoints: readonly RpcEndpoint[];
  readonly tls?: { readonly ca: string; readonly cert: string; readonly key: string };
  readonly group: string;
  readonly adminKey?: string;
  readonly dryRun: boolean;
  readonly json: boolean;
  readonly timing: Partial<Timing>;
  /** --rpc URLs carry no node names: name each after the declared node that answers there. */
  readonly nameByNodeId: boolean;
}

/**
 * The admin key from a file: 0x-hex (the stack output adminPrivateKey, quoted or not), the JSON of
 * `pulumi stack output --json --show-secrets`, or a secp256k1 PEM (synth's ca/accounts/0x<address>.pem, FISCO's
 * get_account.sh). @throws UsageError that never quotes the file's content.
 */
export function readAdminKey(file: string): string {
  let text = readText("--admin-key", file).trim();
  if (text.startsWith("{")) {
    let value: unknown;
    try {
      value = (JSON.parse(text) as { adminPrivateKey?: unknown }).adminPrivateKey;
    } catch {
      return fail(`--admin-key: ${file} is not valid JSON`);
    }
    if (value === "[secret]") fail(`--admin-key: ${file} shows adminPrivateKey as [secret]: save \`pulumi stack output --json --show-secrets\``);
    if (typeof value !== "string") fail(`--admin-key: ${file} has no adminPrivateKey`);
    text = value;
  }
  text = text.replace(/^"(.*)"$/, "$1");
  if (/^(0x)?[0-9a-fA-F]{64}$/.test(text)) return `0x${text.replace(/^0x/, "").toLowerCase()}`;
  try {
    const jwk = createPrivateKey(text).export({ format: "jwk" });
    if (jwk.crv !== "secp256k1" || !jwk.d) return fail(`--admin-key: ${file} is not a secp256k1 key`);
    return `0x${Buffer.from(jwk.d, "base64url").toString("hex").padStart(64, "0")}`;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    return fail(`--admin-key: ${file} holds neither a 0x-hex private key, the stack outputs' adminPrivateKey nor a PEM key`);
  }
}

/** Parse argv; throws UsageError naming the flag and what is allowed. */
export function parseCli(argv: readonly string[]): MembersChoice | "help" {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        tree: { type: "string" },
        "stack-nodes": { type: "string" },
        "sdk-dir": { type: "string" },
        rpc: { type: "string" },
        ca: { type: "string" },
        cert: { type: "string" },
        key: { type: "string" },
        "admin-key": { type: "string" },
        group: { type: "string" },
        "sync-timeout": { type: "string" },
        "dry-run": { type: "boolean" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }).values;
  } catch (error) {
    return fail((error as Error).message.split("\n")[0].replace(/\. To specify .*$/, ""));
  }
  if (values.help) return "help";
  const str = (name: string) => values[name] as string | undefined;

  const tree = str("tree");
  const stackNodes = str("stack-nodes");
  if ((tree === undefined) === (stackNodes === undefined))
    fail("give the declared set with exactly one of --tree <synth tree> or --stack-nodes <pulumi stack output --json file>");
  let declared: DeclaredSet;
  try {
    declared = tree !== undefined ? declaredFromTree(tree) : declaredFromStackOutputFile(stackNodes!);
  } catch (error) {
    if (error instanceof DeclaredSetError) return fail(error.message);
    throw error;
  }

  const sdkDir = str("sdk-dir") ?? (tree !== undefined ? join(tree, "sdk") : undefined);
  const sdk = sdkDir === undefined ? undefined : readSdkEndpoints(sdkDir);
  const rpc = str("rpc");
  const endpoints = rpc !== undefined ? endpointsFromUrls(urlList("--rpc", rpc)) : sdk ? endpointEntries({ ...sdk.rpc.nodes, ...sdk.rpc.nonMembers }) : [];
  if (endpoints.length === 0) fail("--rpc: give the nodes' RPC URLs (https://host:20200,...) or --sdk-dir <dir> with endpoints.json");
  const { ca, cert, key } = readTlsFiles({ ca: str("ca"), cert: str("cert"), key: str("key") }, sdkDir);
  if (endpoints.some((e) => e.url.startsWith("https:")) && (!ca || !cert || !key))
    fail("--ca, --cert and --key are required for https:// RPC URLs, or give --sdk-dir");

  const group = str("group") ?? declared.groupId ?? sdk?.groupId ?? "group0";
  if (!/^[A-Za-z0-9_]{1,64}$/.test(group)) fail(`--group must be 1–64 letters, digits or _ (got "${group}")`);
  const dryRun = values["dry-run"] === true;
  const keyFile = str("admin-key");
  if (keyFile === undefined && !dryRun) fail("--admin-key: give the genesis admin account's key (or --dry-run to only print the plan)");
  const adminKey = keyFile === undefined ? undefined : readAdminKey(keyFile);
  if (adminKey && declared.adminAddress) {
    const address = accountFromPrivateKeyHex(adminKey).address.toLowerCase();
    if (address !== declared.adminAddress) fail(`--admin-key: the key's account is ${address}, but the genesis admin is ${declared.adminAddress}`);
  }
  const syncTimeout = numberFlag("--sync-timeout", str("sync-timeout"), 1, 86_400, false, "a number of seconds");
  return {
    declared: { ...declared, chainId: declared.chainId ?? sdk?.chainId },
    endpoints,
    tls: ca && cert && key ? { ca, cert, key } : undefined,
    group,
    adminKey,
    dryRun,
    json: values.json === true,
    timing: syncTimeout === undefined ? {} : { syncMs: syncTimeout * 1000 },
    nameByNodeId: rpc !== undefined,
  };
}

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Timing overrides (tests). */
  readonly timing?: Partial<Timing>;
}

const processIo: CliIo = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) };

/** `npm run members`: 0 the chain matches the declared set, 1 refused or failed, 2 bad usage. */
export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const choice = parsedOrExitCode("members", USAGE, () => parseCli(argv), io);
  if (typeof choice === "number") return choice;
  const timing = { ...choice.timing, ...io.timing };
  try {
    const report = await applyMembershipAt({
      endpoints: choice.endpoints,
      tls: choice.tls,
      group: choice.group,
      nameByNodeId: choice.nameByNodeId,
      declared: choice.declared.members,
      formerNodeIds: choice.declared.formerNodeIds,
      adminKey: choice.adminKey,
      declaredAuthCheck: choice.declared.authCheck,
      chainId: choice.declared.chainId,
      dryRun: choice.dryRun,
      timing,
      progress: (line) => io.stderr(`members: ${line}\n`),
    });
    io.stdout(choice.json ? formatJson(report) : formatText(report));
    return report.ok ? 0 : 1;
  } catch (error) {
    io.stderr(`members: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
