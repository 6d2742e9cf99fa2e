import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import type { SignJob, SignTemplate } from "./signer";

/** The bundled worker (beside the bundled CLI in the bench Job), or the TypeScript one through tsx. */
const WORKER_FILE = [join(__dirname, "sign-worker.js"), join(__dirname, "sign-worker-entry.js")].find((f) => existsSync(f))!;

interface WorkerAnswer {
  readonly signed: string[];
  readonly seconds: number;
}

/** Signing worker threads (one per core by default), started once and reused for every chunk. */
export class SignPool {
  private readonly workers: Worker[];
  /** Wall time of the signing itself: for each chunk, its slowest thread's busy time. */
  signingSeconds = 0;
  signed = 0;
  /** Jobs a worker is running: close() lets them finish (see close). */
  private readonly running = new Set<Promise<unknown>>();
  private closing = false;

  constructor(threads = availableParallelism()) {
    this.workers = Array.from({ length: Math.max(1, threads) }, () => new Worker(WORKER_FILE));
  }

  get threads(): number {
    return this.workers.length;
  }

  /** Sign indices [start, start + count), split into one contiguous range per thread; transactions in index order. */
  async sign(keys: readonly string[], start: number, count: number, template: SignTemplate): Promise<string[]> {
    const share = Math.ceil(count / this.workers.length);
    const ranges = this.workers
      .map((_, t) => ({ start: start + t * share, count: Math.max(0, Math.min(share, count - t * share)) }))
      .filter((r) => r.count > 0);
    const answers = await Promise.all(ranges.map((r, t) => this.run(this.workers[t], { keys, start: r.start, count: r.count, template })));
    this.signingSeconds += Math.max(...answers.map((a) => a.seconds));
    this.signed += count;
    return answers.flatMap((a) => a.signed);
  }

  /** Transactions per second of signing alone (thread start-up and idle time excluded); null before any. */
  get rate(): number | null {
    return this.signingSeconds > 0 ? this.signed / this.signingSeconds : null;
  }

  /**
   * Stop the workers once the jobs they are running are done (a second or two of signing at most for a --duration
   * run's chunk). Terminating a worker inside the native secp256k1 binding aborts the whole process ("terminate called
   * after throwing an instance of 'Napi::Error'", exit 134: seen at the end of a real-node run). Later sign() calls reject.
   */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.allSettled([...this.running]);
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private run(worker: Worker, job: SignJob): Promise<WorkerAnswer> {
    if (this.closing) return Promise.reject(new Error("the signing pool is closed"));
    const answer = this.post(worker, job);
    this.running.add(answer);
    const done = () => this.running.delete(answer);
    answer.then(done, done);
    return answer;
  }

  private post(worker: Worker, job: SignJob): Promise<WorkerAnswer> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => {
        worker.off("message", onMessage);
        reject(error);
      };
      const onMessage = (answer: WorkerAnswer) => {
        worker.off("error", onError);
        resolve(answer);
      };
      worker.once("message", onMessage);
      worker.once("error", onError);
      worker.postMessage(job);
    });
  }
}

export interface FeedPlan {
  /** Transactions to sign in all; Infinity for a --duration run. */
  readonly total: number;
  /** Transactions signed per chunk: with total ≤ chunk, everything is signed before the first is sent. */
  readonly chunk: number;
}

/**
 * Pre-signed transactions in index order. `fill` signs the first chunk before sending starts; when fewer than half a
 * chunk is left, the next chunk is signed in the background with a fresh template (a fresh blockLimit).
 */
export class TxFeed {
  private buffer: string[] = [];
  private read = 0;
  private produced = 0;
  private handed = 0;
  private signing: Promise<void> | undefined;
  private failure: Error | undefined;

  constructor(
    private readonly pool: SignPool,
    private readonly keys: readonly string[],
    private readonly plan: FeedPlan,
    private readonly template: () => SignTemplate,
  ) {}

  /** Transactions handed out so far. */
  get taken(): number {
    return this.handed;
  }

  /** Sign the first chunk (all of a --txs run up to the chunk size). */
  async fill(): Promise<void> {
    this.startSigning();
    await this.signing;
    this.rethrow();
  }

  /** Sign everything and throw it away (--dry-run: the signing rate alone). */
  async drain(): Promise<void> {
    while ((await this.next()) !== undefined);
  }

  /**
   * The next transaction without waiting: a transaction, undefined once `total` are handed out, or null when signing
   * lags behind sending (then await `next`).
   */
  take(): string | undefined | null {
    this.rethrow();
    if (this.read < this.buffer.length) {
      const tx = this.buffer[this.read];
      this.buffer[this.read++] = "";
      this.handed++;
      if (this.buffer.length - this.read < this.plan.chunk / 2) this.startSigning();
      return tx;
    }
    if (this.produced >= this.plan.total && !this.signing) return undefined;
    this.startSigning();
    return null;
  }

  /** The next transaction; undefined once `total` are handed out. Waits when signing lags behind sending. */
  async next(): Promise<string | undefined> {
    for (;;) {
      const tx = this.take();
      if (tx !== null) return tx;
      await this.signing;
    }
  }

  private startSigning(): void {
    if (this.signing || this.produced >= this.plan.total) return;
    const count = Math.min(this.plan.chunk, this.plan.total - this.produced);
    const start = this.produced;
    this.produced += count;
    this.signing = this.pool
      .sign(this.keys, start, count, this.template())
      .then((txs) => {
        this.buffer = [...this.buffer.slice(this.read), ...txs];
        this.read = 0;
      })
      .catch((error: Error) => void (this.failure = error))
      .finally(() => (this.signing = undefined));
  }

  private rethrow(): void {
    if (this.failure) throw this.failure;
  }
}
