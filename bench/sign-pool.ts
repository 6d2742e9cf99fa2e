import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import type { SignJob, TransferTemplate } from "./signer";

export interface Sender {
  readonly privateKey: string;
  /** The next nonce (eth_getTransactionCount … "pending"). */
  readonly nonce: number;
}

export interface PreSigned {
  /** Raw transactions, interleaved across senders so consecutive batches spread over accounts. */
  readonly raw: string[];
  /** The sender index of each raw transaction. */
  readonly senderOf: number[];
  /** Wall time, thread start-up included. */
  readonly seconds: number;
  /** The slowest thread's signing time alone: what the signing rate is measured on. */
  readonly signingSeconds: number;
  readonly threads: number;
}

/** N transfers split over the senders as evenly as possible: each sender's nonces stay contiguous. */
export function planJobs(senders: readonly Sender[], total: number): SignJob[] {
  return senders.map((sender, i) => ({
    privateKey: sender.privateKey,
    from: sender.nonce,
    count: Math.floor(total / senders.length) + (i < total % senders.length ? 1 : 0),
  }));
}

/** Pre-sign every transaction on worker threads (one per core), then interleave them by sender. */
export async function preSign(senders: readonly Sender[], total: number, template: TransferTemplate, threads = availableParallelism()): Promise<PreSigned> {
  const started = process.hrtime.bigint();
  const jobs = planJobs(senders, total);
  const count = Math.max(1, Math.min(threads, jobs.length));
  const shards = Array.from({ length: count }, (_, w) => jobs.filter((_, i) => i % count === w));
  const results = await Promise.all(shards.map((shard) => runWorker(shard, template)));
  const bySender: string[][] = [];
  shards.forEach((shard, w) => shard.forEach((_, j) => (bySender[w + j * shards.length] = results[w].signed[j])));
  const raw: string[] = [];
  const senderOf: number[] = [];
  for (let round = 0; raw.length < total; round++) {
    bySender.forEach((list, sender) => {
      if (round < list.length) {
        raw.push(list[round]);
        senderOf.push(sender);
      }
    });
  }
  const signingSeconds = Math.max(...results.map((r) => r.seconds));
  return { raw, senderOf, seconds: Number(process.hrtime.bigint() - started) / 1e9, signingSeconds, threads: shards.length };
}

interface WorkerResult {
  readonly signed: string[][];
  readonly seconds: number;
}

/** The bundled worker (beside the bundled CLI in the bench Job), or the TypeScript one through tsx. */
const WORKER_FILE = [join(__dirname, "sign-worker.js"), join(__dirname, "sign-worker-entry.js")].find((f) => existsSync(f))!;

function runWorker(jobs: SignJob[], template: TransferTemplate): Promise<WorkerResult> {
  const worker = new Worker(WORKER_FILE);
  return new Promise((resolve, reject) => {
    worker.once("message", (result: WorkerResult) => {
      resolve(result);
      void worker.terminate();
    });
    worker.once("error", reject);
    worker.postMessage({ jobs, template });
  });
}
