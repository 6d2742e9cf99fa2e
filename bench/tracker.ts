import { countError, type ErrorCounts } from "./errors";
import { summarize, type LatencySummary } from "./stats";

export type BenchPhase = "preparing" | "funding" | "signing" | "connecting" | "sending" | "receipts" | "chain" | "done";

/** A snapshot for the live progress line. */
export interface BenchProgress {
  readonly phase: BenchPhase;
  readonly elapsedMs: number;
  readonly signed: number;
  readonly submitted: number;
  readonly confirmed: number;
  readonly inFlight: number;
  readonly errors: number;
}

/** Counters of one run: what was submitted, answered, confirmed, failed (by kind), and when. */
export class Tracker {
  phase: BenchPhase = "preparing";
  signed = 0;
  submitted = 0;
  accepted = 0;
  inFlight = 0;
  readonly latencies: number[] = [];
  readonly errors: ErrorCounts = {};
  firstSubmit: number | undefined;
  lastSubmit: number | undefined;
  lastReceipt: number | undefined;
  /** Lowest and highest block of a confirmed transaction. */
  firstBlock: number | undefined;
  lastBlock: number | undefined;
  private readonly started = Date.now();

  /** `n` transactions leave now; returns the time, for their latency. */
  submit(n = 1): number {
    const at = Date.now();
    this.firstSubmit ??= at;
    this.lastSubmit = at;
    this.submitted += n;
    this.inFlight += n;
    return at;
  }

  /** A request finished (answered or failed): no longer in flight. */
  settle(n = 1): void {
    this.inFlight -= n;
  }

  /** A transaction in block `block` with status 0, submitted at `submittedAt`. */
  confirm(submittedAt: number, block: number | undefined): void {
    const now = Date.now();
    this.lastReceipt = now;
    this.latencies.push(now - submittedAt);
    if (block !== undefined) {
      this.firstBlock = Math.min(this.firstBlock ?? block, block);
      this.lastBlock = Math.max(this.lastBlock ?? block, block);
    }
  }

  fail(kind: string, n = 1): void {
    countError(this.errors, kind, n);
  }

  get confirmed(): number {
    return this.latencies.length;
  }

  get errorTotal(): number {
    return Object.values(this.errors).reduce((a, b) => a + b, 0);
  }

  progress(): BenchProgress {
    return {
      phase: this.phase,
      elapsedMs: Date.now() - this.started,
      signed: this.signed,
      submitted: this.submitted,
      confirmed: this.confirmed,
      inFlight: this.inFlight,
      errors: this.errorTotal,
    };
  }

  /** Submitted and confirmed rates (per second) over the send window, latency percentiles, error rate. */
  figures(): { submittedTps: number | null; clientTps: number | null; latencyMs: LatencySummary; errorRate: number } {
    const rate = (count: number, from?: number, to?: number) => (from !== undefined && to !== undefined && to > from ? (count * 1000) / (to - from) : null);
    return {
      submittedTps: rate(this.submitted, this.firstSubmit, this.lastSubmit),
      clientTps: rate(this.confirmed, this.firstSubmit, this.lastReceipt),
      latencyMs: summarize(this.latencies),
      errorRate: this.submitted ? this.errorTotal / this.submitted : 0,
    };
  }
}
