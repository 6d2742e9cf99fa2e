import { parseArgs } from "node:util";
import { fail, numberFlag, readText, UsageError, urlList } from "../cli/flags";
import { MAX_BATCH } from "./batch-client";
import type { BenchOptions } from "./run";
import { parseKeyFile } from "./senders";

/** Batches in flight when --concurrency is not given: the chart's bench.concurrency default too. */
export const DEFAULT_CONCURRENCY = 16;

export const USAGE = `usage: npm run bench -- --web3 <url,...> --txs N [--concurrency C] [--senders K] [--batch B] [--dry-run] [--json]
                       [--key-file <file> | --seed <text>] [--timeout S] [--poll-ms MS] [--chain-id ID]
                       [--max-error-rate R] [--max-p99-ms MS]

  --web3 <url,...>      web3 JSON-RPC endpoints (http(s)://host:8545), used round-robin
  --txs N               transactions to pre-sign and send (1–10000000)
  --concurrency C       batches in flight at once (1–1024, default ${DEFAULT_CONCURRENCY})
  --senders K           sender accounts (default 16); nonces stay contiguous per sender
  --batch B             requests per JSON-RPC batch, 1–${MAX_BATCH} (FISCO's limit; default ${MAX_BATCH})
  --key-file <file>     funded sender keys, one 0x-hex per line (K = their number)
  --seed <text>         derive the K sender keys as keccak256("<seed>:<i>") (default fisco-bench); fund them first on
                        FISCO v3.16.4, whose web3 RPC refuses zero-balance senders (addresses: --dry-run --json)
  --dry-run             sign only, send nothing: reports the signing rate
  --timeout S           how long to wait for receipts after the last submission (default 60)
  --poll-ms MS          receipt polling interval (default 100; bounds the latency resolution)
  --chain-id ID         sign for this chain id instead of asking eth_chainId (with --dry-run: default 20200)
  --max-error-rate R    goal: error rate at most R (0–1); exit 1 when missed
  --max-p99-ms MS       goal: p99 submit-to-receipt latency at most MS; exit 1 when missed
  --json                print the report as JSON
Exit status: 0 done (goals met), 1 goals missed or the run failed, 2 bad usage, 130 interrupted (partial report).`;

export { UsageError };


export interface Goals {
  readonly maxErrorRate?: number;
  readonly maxP99Ms?: number;
}

export interface CliChoice {
  readonly options: BenchOptions;
  readonly goals: Goals;
  readonly json: boolean;
  readonly help: boolean;
}

/** An integer flag: required unless it has a default. */
function integer(flag: string, value: string | undefined, min: number, max: number, fallback?: number): number {
  return numberFlag(flag, value, min, max, true, "an integer") ?? fallback ?? fail(`${flag} is required`);
}

function urls(value: string | undefined, required: boolean): string[] {
  if (!value) return required ? fail("--web3 is required (unless --dry-run): the web3 JSON-RPC URLs, comma-separated") : [];
  return urlList("--web3", value);
}

export function parseCli(argv: readonly string[]): CliChoice {
  let values;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        web3: { type: "string" },
        txs: { type: "string" },
        concurrency: { type: "string" },
        senders: { type: "string" },
        batch: { type: "string" },
        "key-file": { type: "string" },
        seed: { type: "string" },
        "dry-run": { type: "boolean", default: false },
        timeout: { type: "string" },
        "poll-ms": { type: "string" },
        "chain-id": { type: "string" },
        "max-error-rate": { type: "string" },
        "max-p99-ms": { type: "string" },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    }).values;
  } catch (error) {
    return fail((error as Error).message);
  }
  const dryRun = values["dry-run"];
  const help = values.help;
  if (help) return { options: {} as BenchOptions, goals: {}, json: false, help };
  if (values["key-file"] && values.seed) fail("--key-file and --seed: give one of them");
  const keys = values["key-file"] ? parseKeyFile(readText("--key-file", values["key-file"])) : undefined;
  if (keys && keys.length === 0) fail(`--key-file: ${values["key-file"]} holds no key`);
  const errorRate = numberFlag("--max-error-rate", values["max-error-rate"], 0, 1, false, "a number");
  const chainId = values["chain-id"] === undefined ? undefined : BigInt(integer("--chain-id", values["chain-id"], 1, Number.MAX_SAFE_INTEGER));
  return {
    options: {
      web3: urls(values.web3, !dryRun),
      txs: integer("--txs", values.txs, 1, 10_000_000),
      concurrency: integer("--concurrency", values.concurrency, 1, 1024, DEFAULT_CONCURRENCY),
      senders: keys ? keys.length : integer("--senders", values.senders, 1, 100_000, 16),
      batch: integer("--batch", values.batch, 1, MAX_BATCH, MAX_BATCH),
      dryRun,
      keys,
      seed: values.seed ?? "fisco-bench",
      timeoutMs: integer("--timeout", values.timeout, 1, 3600, 60) * 1000,
      pollMs: integer("--poll-ms", values["poll-ms"], 10, 10_000, 100),
      chainId,
      gasLimit: 100_000n,
      to: "0x000000000000000000000000000000000000dEaD",
    },
    goals: { maxErrorRate: errorRate, maxP99Ms: values["max-p99-ms"] === undefined ? undefined : integer("--max-p99-ms", values["max-p99-ms"], 1, 3_600_000) },
    json: values.json,
    help,
  };
}
