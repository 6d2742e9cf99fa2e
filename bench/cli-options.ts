import { parseArgs } from "node:util";
import { fail, numberFlag, readText, UsageError, urlList } from "../cli/flags";
import { endpointEntries, endpointsFromUrls, readPrivateKeyFile, readSdkEndpoints, readTlsFiles, type SdkEndpoints } from "../cli/sdk-dir";
import { MAX_BATCH } from "./batch-client";
import type { BenchOptions, CommonOptions, NativeAccess } from "./options";
import type { Goals } from "./report";
import { parseKeyFile } from "./senders";

/** Requests in flight when --concurrency is not given: native sendTransaction calls; web3 batches. */
export const DEFAULT_CONCURRENCY = { native: 512, web3: 16 } as const;

export const USAGE = `usage: npm run bench -- (--sdk-dir <dir> | --rpc <url,...> --ca <f> --cert <f> --key <f>) (--txs N | --duration S) [options]
       npm run bench -- --web3 <url,...>|sdk [--fund --admin-key <file> (with --sdk-dir or --rpc …)] (--txs N | --duration S) [options]
       npm run bench -- --dry-run --txs N [--web3 …]                      the signing rate alone (no endpoint needed)

Native transactions (the default): deploys a small benchmark contract, then sends pre-signed native transactions
calling it over mutual-TLS keep-alive connections spread across the group's members; each sendTransaction answers
with the receipt once the transaction is in a block.
  --sdk-dir <dir>        the SDK Secret (or synth's sdk/): ca.crt, sdk.crt, sdk.key, endpoints.json (rpc.nodes, the
                         group members; rpc.nonMembers are never sent transactions), group and chain id
  --rpc <url,...>        native RPC of group members (https://host:20200); --ca, --cert, --key: chain CA, SDK cert and key
  --group <id>           default group0 (or endpoints.json's)
  --concurrency C        requests in flight, 1–20000: native, connections (one sendTransaction each; default
                         ${DEFAULT_CONCURRENCY.native}); web3, batches (default ${DEFAULT_CONCURRENCY.web3})

Web3 transfers instead:
  --web3 <url,...>|sdk   web3 JSON-RPC endpoints (http(s)://host:8545; sdk: endpoints.json's), used round-robin
  --batch B              requests per JSON-RPC batch, 1–${MAX_BATCH} (FISCO's limit; default ${MAX_BATCH})
  --fund                 before sending, give every zero-balance sender a balance with native transactions signed by
                         the genesis admin key (switches on feature_balance and feature_balance_precompiled when off,
                         then addBalance); needs --admin-key and the native RPC (--sdk-dir or --rpc …)
  --admin-key <file>     the genesis admin key: 0x-hex or PEM, e.g.
                         <(pulumi stack output -s <env> --show-secrets adminPrivateKey)
  --fund-amount WEI      credited to each sender (default 1000000000000000000)
  --no-balance-check     send from zero-balance senders anyway (FISCO v3.9–v3.16.3 accept them; v3.16.4 does not)
  --poll-ms MS           receipt polling interval (default 100; bounds the latency resolution)
  --chain-id ID          sign for this chain id instead of asking eth_chainId (with --dry-run: default 20200)

Both:
  --txs N                transactions to send, 1–10000000 (a run up to 200000 is signed completely before sending)
  --duration S           send for S seconds (1–86400) instead, signing ahead as it goes
  --senders K            sender accounts (default 16)
  --key-file <file>      sender keys, one 0x-hex per line (K = their number)
  --seed <text>          derive the K sender keys as keccak256("<seed>:<i>") (default fisco-bench; addresses: --dry-run --json)
  --threads T            signing threads (default: one per core)
  --timeout S            native: how long one transaction may wait for its receipt; web3: how long receipts are followed
                         after the last submission (default 60)
  --min-tps N            goal: client TPS at least N
  --max-p99-ms MS        goal: p99 submission-to-receipt latency at most MS
  --max-error-rate R     goal: error rate at most R (0–1)
  --dry-run              sign only, send nothing: the signing rate
  --json                 print the report as JSON
Exit status: 0 done (goals met), 1 goals missed or the run failed, 2 bad usage, 130 interrupted (partial report).`;

export { UsageError };

export interface CliChoice {
  readonly options: BenchOptions;
  readonly goals: Goals;
  readonly json: boolean;
  readonly help: boolean;
}

type Values = Record<string, string | boolean | undefined>;

const OPTIONS = {
  "sdk-dir": { type: "string" },
  rpc: { type: "string" },
  ca: { type: "string" },
  cert: { type: "string" },
  key: { type: "string" },
  group: { type: "string" },
  web3: { type: "string" },
  batch: { type: "string" },
  fund: { type: "boolean" },
  "admin-key": { type: "string" },
  "fund-amount": { type: "string" },
  "no-balance-check": { type: "boolean" },
  "poll-ms": { type: "string" },
  "chain-id": { type: "string" },
  txs: { type: "string" },
  duration: { type: "string" },
  concurrency: { type: "string" },
  senders: { type: "string" },
  "key-file": { type: "string" },
  seed: { type: "string" },
  threads: { type: "string" },
  timeout: { type: "string" },
  "min-tps": { type: "string" },
  "max-p99-ms": { type: "string" },
  "max-error-rate": { type: "string" },
  "dry-run": { type: "boolean" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** An integer flag: undefined when absent (or `fallback`). */
function integer(values: Values, flag: string, min: number, max: number, fallback?: number): number | undefined {
  return numberFlag(`--${flag}`, values[flag] as string | undefined, min, max, true, "an integer") ?? fallback;
}

/** The native RPC from --sdk-dir and/or --rpc/--ca/--cert/--key/--group; undefined when neither is given. */
function nativeAccess(values: Values, sdk: SdkEndpoints | undefined): NativeAccess | undefined {
  const str = (name: string) => values[name] as string | undefined;
  const rpc = str("rpc") !== undefined ? endpointsFromUrls(urlList("--rpc", str("rpc")!)) : sdk ? endpointEntries(sdk.rpc.nodes) : undefined;
  if (!rpc) return undefined;
  if (rpc.length === 0) fail("--sdk-dir: endpoints.json lists no group member under rpc.nodes");
  const { ca, cert, key } = readTlsFiles({ ca: str("ca"), cert: str("cert"), key: str("key") }, str("sdk-dir"));
  const needsTls = rpc.some((e) => e.url.startsWith("https:"));
  if (needsTls && (!ca || !cert || !key))
    fail(
      `--ca, --cert and --key are required for https:// RPC URLs (missing ${[!ca && "--ca", !cert && "--cert", !key && "--key"].filter(Boolean).join(", ")}), or give --sdk-dir`,
    );
  const groupId = str("group") ?? sdk?.groupId ?? "group0";
  if (!/^[A-Za-z0-9_]{1,64}$/.test(groupId)) fail(`--group must be 1–64 letters, digits or _ (got "${groupId}")`);
  return { rpc, tls: ca && cert && key ? { ca, cert, key } : undefined, groupId, chainId: sdk?.chainId };
}

/** --txs, --duration, senders, keys, threads, timeout: what both paths share. */
function common(values: Values, mode: "native" | "web3"): CommonOptions {
  const dryRun = values["dry-run"] === true;
  const txs = integer(values, "txs", 1, 10_000_000);
  const duration = integer(values, "duration", 1, 86_400);
  if (txs !== undefined && duration !== undefined) fail("--txs and --duration: give one of them");
  if (txs === undefined && duration === undefined) fail("--txs N or --duration S is required");
  if (dryRun && txs === undefined) fail("--dry-run needs --txs N (the number of transactions to sign)");
  if (values["key-file"] && values.seed) fail("--key-file and --seed: give one of them");
  const keys = values["key-file"] ? parseKeyFile(readText("--key-file", values["key-file"] as string)) : undefined;
  if (keys && keys.length === 0) fail(`--key-file: ${values["key-file"]} holds no key`);
  return {
    txs: txs ?? null,
    durationMs: duration === undefined ? null : duration * 1000,
    concurrency: integer(values, "concurrency", 1, 20_000, DEFAULT_CONCURRENCY[mode])!,
    senders: keys ? keys.length : integer(values, "senders", 1, 100_000, 16)!,
    keys,
    seed: (values.seed as string | undefined) ?? "fisco-bench",
    threads: integer(values, "threads", 1, 256),
    timeoutMs: integer(values, "timeout", 1, 3600, 60)! * 1000,
    dryRun,
  };
}

function web3Urls(value: string, sdk: SdkEndpoints | undefined): string[] {
  if (value !== "sdk") return urlList("--web3", value);
  if (!sdk?.web3) fail("--web3 sdk: needs --sdk-dir whose endpoints.json lists web3 endpoints (web3.enabled in the stack)");
  return Object.values(sdk.web3.nodes);
}

function web3Options(values: Values, sdk: SdkEndpoints | undefined, native: NativeAccess | undefined, base: CommonOptions): BenchOptions {
  const fund = values.fund === true;
  if (fund && !native) fail("--fund needs the native RPC to send the funding transactions: --sdk-dir, or --rpc with --ca, --cert, --key");
  if (fund && !values["admin-key"])
    fail("--fund needs --admin-key <file>: the genesis admin key (stack output adminPrivateKey, or ca/accounts/0x<address>.pem of a synth tree)");
  if (!fund && (values["admin-key"] || values["fund-amount"])) fail("--admin-key and --fund-amount: only used with --fund");
  const amount =
    values["fund-amount"] === undefined
      ? 10n ** 18n
      : /^\d{1,60}$/.test(values["fund-amount"] as string) && BigInt(values["fund-amount"] as string) > 0n
        ? BigInt(values["fund-amount"] as string)
        : fail(`--fund-amount must be a positive whole number of wei (got "${values["fund-amount"]}")`);
  const chainId = values["chain-id"] === undefined ? undefined : BigInt(integer(values, "chain-id", 1, Number.MAX_SAFE_INTEGER)!);
  return {
    ...base,
    mode: "web3",
    web3: values.web3 === undefined ? [] : web3Urls(values.web3 as string, sdk),
    batch: integer(values, "batch", 1, MAX_BATCH, MAX_BATCH)!,
    pollMs: integer(values, "poll-ms", 10, 10_000, 100)!,
    chainId,
    gasLimit: 100_000n,
    to: "0x000000000000000000000000000000000000dEaD",
    fund: fund ? { native: native!, adminKey: readPrivateKeyFile("--admin-key", values["admin-key"] as string), amount } : undefined,
    balanceCheck: values["no-balance-check"] !== true,
  };
}

function goals(values: Values): Goals {
  return {
    minTps: numberFlag("--min-tps", values["min-tps"] as string | undefined, 0, 10_000_000, false, "a number"),
    maxP99Ms: integer(values, "max-p99-ms", 1, 3_600_000),
    maxErrorRate: numberFlag("--max-error-rate", values["max-error-rate"] as string | undefined, 0, 1, false, "a number"),
  };
}

/** Parse argv into the run's options and goals; throws UsageError naming the flag and what is allowed. */
export function parseCli(argv: readonly string[]): CliChoice {
  let values: Values;
  try {
    values = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    return fail((error as Error).message.split("\n")[0].replace(/\. To specify .*$/, ""));
  }
  if (values.help) return { options: {} as BenchOptions, goals: {}, json: false, help: true };
  const sdk = values["sdk-dir"] === undefined ? undefined : readSdkEndpoints(values["sdk-dir"] as string);
  const native = nativeAccess(values, sdk);
  const web3Mode = values.web3 !== undefined || (values["dry-run"] === true && values["chain-id"] !== undefined);
  for (const flag of ["batch", "fund", "admin-key", "fund-amount", "no-balance-check", "poll-ms", "chain-id"]) {
    if (!web3Mode && values[flag] !== undefined) fail(`--${flag}: only used with --web3`);
  }
  const base = common(values, web3Mode ? "web3" : "native");
  let options: BenchOptions;
  if (web3Mode) {
    if (values.web3 === undefined && !base.dryRun) fail("--web3 is required for web3 transfers");
    options = web3Options(values, sdk, native, base);
  } else {
    if (!native && !base.dryRun) fail("--sdk-dir <dir> or --rpc <url,...> (with --ca, --cert, --key) is required: the native RPC of the group members");
    options = { ...base, mode: "native", native: native ?? { rpc: [], groupId: "group0" } };
  }
  return { options, goals: goals(values), json: values.json === true, help: false };
}
